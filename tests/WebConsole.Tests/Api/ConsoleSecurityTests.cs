using System.Text.Json.Nodes;
using CrdtSync.WebConsole.Tests.Support;

namespace CrdtSync.WebConsole.Tests.Api;

/// <summary>The console's safety by default: loopback only, Host and Origin checked, an anti-forgery header on every change.</summary>
public sealed class ConsoleSecurityTests : StandaloneConsole
{
    private static readonly JsonObject NewIncident = new() { ["id"] = "inc-1", ["fields"] = new JsonObject { ["title"] = "Pump" } };
    private async Task AssertNothingWrittenAsync() =>
        Assert.Empty((await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray());

    [Theory]
    [InlineData("http://0.0.0.0:5380")]
    [InlineData("http://192.168.1.20:5380")]
    [InlineData("http://example.com:5380")]
    [InlineData("https://127.0.0.1:5380")]
    [InlineData("http://127.0.0.1:5380/console")]
    [InlineData("")]
    public async Task A_console_refuses_to_listen_anywhere_but_loopback_http(string urls)
    {
        var error = await Assert.ThrowsAsync<ConsoleAddressException>(() =>
            ReplicaConsoleHost.StartAsync(Device.Replica, null, new ReplicaConsoleOptions { Urls = urls }));
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_carries_a_fresh_token_and_a_content_security_policy_with_no_inline_script()
    {
        using var response = await Client.Http.GetAsync("/");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(Client.Token.Length >= 40);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", policy, StringComparison.Ordinal);
        foreach (var asset in new[] { "/", "/console.css", "/console.js" })
        {
            // No address of another host in any served file: nothing external (no CDN, no font, no absolute link).
            var text = (await Client.Http.GetStringAsync(asset)).Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"(https?:)?//[A-Za-z0-9-]+\.[A-Za-z]", text);
        }
    }

    [Fact]
    public async Task A_change_without_the_antiforgery_header_is_refused_and_writes_nothing()
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", NewIncident, withToken: false);
        Assert.Equal((403, "missing_antiforgery"), (status, (string?)body!["error"]));
        var (wrong, _) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", NewIncident, withToken: false,
            adjust: r => r.Headers.Add(ReplicaConsoleHost.AntiForgeryHeader, Client.Token[..^1] + "x"));
        Assert.Equal(403, wrong);
        await AssertNothingWrittenAsync();
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:80")]
    [InlineData("127.0.0.1:1")]
    public async Task A_request_naming_another_host_is_refused_which_stops_dns_rebinding(string host)
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Get, "/api/state", adjust: r => r.Headers.Host = host);
        Assert.Equal((400, "bad_host"), (status, (string?)body!["error"]));
        var (page, _) = await Client.SendAsync(HttpMethod.Get, "/", adjust: r => r.Headers.Host = host);
        Assert.Equal(400, page);
    }

    [Fact]
    public async Task Localhost_and_the_ipv4_loopback_both_name_this_console()
    {
        var port = Device.Address.Port;
        var (status, _) = await Client.SendAsync(HttpMethod.Get, "/api/state", adjust: r => r.Headers.Host = $"localhost:{port}");
        Assert.Equal(200, status);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("null")]
    [InlineData("https://127.0.0.1")]
    public async Task A_call_from_another_origin_is_refused_even_with_the_token(string origin)
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", NewIncident, adjust: r => r.Headers.Add("Origin", origin));
        Assert.Equal((403, "bad_origin"), (status, (string?)body!["error"]));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task The_consoles_own_origin_may_call_it()
    {
        var origin = Device.Address.GetLeftPart(UriPartial.Authority);
        var (status, _) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", NewIncident, adjust: r => r.Headers.Add("Origin", origin));
        Assert.Equal(201, status);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task An_api_read_from_another_site_is_refused(string site)
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Get, "/api/outbox", adjust: r => r.Headers.Add("Sec-Fetch-Site", site));
        Assert.Equal((403, "cross_site"), (status, (string?)body!["error"]));
    }
}
