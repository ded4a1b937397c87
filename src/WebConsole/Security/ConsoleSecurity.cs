using System.Security.Cryptography;
using System.Text;
using CrdtSync.WebConsole.Api;
using CrdtSync.WebConsole.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CrdtSync.WebConsole.Security;

/// <summary>
/// The console's guard, in front of everything it serves: the Host header must name this loopback listener (no DNS
/// rebinding), an Origin header must be this console's own origin, API calls must not come from another site
/// (<c>Sec-Fetch-Site</c>), and every state-changing call must carry the anti-forgery header that only a page served
/// by this console can read. Every answer carries a strict Content-Security-Policy and is never cached.
/// </summary>
internal sealed partial class ConsoleSecurity(IServer server, ILogger<ConsoleSecurity> logger)
{
    /// <summary>The header a state-changing call must carry, with <see cref="Token"/> as its value.</summary>
    public const string TokenHeader = "X-CrdtSync-Console";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private readonly string _token = NewToken();
    private byte[]? _tokenBytes;
    private HashSet<string>? _hosts;

    /// <summary>The anti-forgery token of this console run (random, never stored).</summary>
    public string Token => _token;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-store";

        var refusal = Check(context.Request);
        if (refusal is { } why)
        {
            ConsoleMetrics.RefusedRequests.Add(1, new KeyValuePair<string, object?>("reason", why.Reason));
            LogRefused(logger, context.Request.Method, context.Request.Path, why.Reason);
            await ConsoleErrors.WriteAsync(context, why.Status, why.Code, why.Message).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private (int Status, string Code, string Reason, string Message)? Check(HttpRequest request)
    {
        var hosts = AllowedHosts();
        var host = request.Host.Value ?? string.Empty;
        if (!hosts.Contains(host))
        {
            return (StatusCodes.Status400BadRequest, "bad_host", "host",
                $"This console answers only to its loopback address; the Host header '{host}' is not one of them.");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !(origin.StartsWith("http://", StringComparison.Ordinal) && hosts.Contains(origin["http://".Length..])))
        {
            return (StatusCodes.Status403Forbidden, "bad_origin", "origin",
                $"Calls from '{origin}' are refused: only pages served by this console may call it.");
        }

        var isApi = request.Path.StartsWithSegments("/api", StringComparison.Ordinal);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (isApi && site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return (StatusCodes.Status403Forbidden, "cross_site", "fetch_site",
                $"A {site} request to the console's API is refused: only its own page may call it.");
        }

        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            && !TokenMatches(request.Headers[TokenHeader].ToString()))
        {
            return (StatusCodes.Status403Forbidden, "missing_antiforgery", "token",
                $"A change needs the {TokenHeader} header the console's page sends; reload the page and try again.");
        }

        return null;
    }

    private bool TokenMatches(string presented)
    {
        var given = Encoding.ASCII.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(_tokenBytes ??= Encoding.ASCII.GetBytes(_token), given);
    }

    /// <summary>The Host values this console answers to: each bound port with 127.0.0.1, [::1] and localhost.</summary>
    private HashSet<string> AllowedHosts()
    {
        if (_hosts is { } known)
        {
            return known;
        }

        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                hosts.Add($"127.0.0.1:{uri.Port}");
                hosts.Add($"[::1]:{uri.Port}");
                hosts.Add($"localhost:{uri.Port}");
            }
        }

        if (hosts.Count > 0)
        {
            _hosts = hosts;
        }

        return hosts;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path}: {Reason} check failed")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, string reason);
}
