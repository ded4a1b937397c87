using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>Calls a console's API the way its page does: the anti-forgery token read from the page, JSON bodies.</summary>
public sealed partial class ConsoleClient : IDisposable
{
    private ConsoleClient(HttpClient http, string token)
    {
        Http = http;
        Token = token;
    }

    public HttpClient Http { get; }

    public string Token { get; }

    public static async Task<ConsoleClient> ConnectAsync(Uri address)
    {
        var http = new HttpClient { BaseAddress = address };
        var page = await http.GetStringAsync("/");
        var token = TokenPattern().Match(page) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("The page has no crdtsync-token meta tag.");
        return new ConsoleClient(http, token);
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Sends a call with the token (unless <paramref name="withToken"/> is false) and returns the status and the JSON answer.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null, bool withToken = true, Action<HttpRequestMessage>? adjust = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (withToken)
        {
            request.Headers.Add(ReplicaConsoleHost.AntiForgeryHeader, Token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        adjust?.Invoke(request);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<JsonNode> OkAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var (status, answer) = await SendAsync(method, path, body);
        Assert.True(status is >= 200 and < 300, $"{method} {path}: {status} {answer?.ToJsonString()}");
        return answer!;
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("<meta name=\"crdtsync-token\" content=\"([^\"]+)\">")]
    private static partial Regex TokenPattern();
}
