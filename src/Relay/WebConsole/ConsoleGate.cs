using System.Net;
using CrdtSync.Relay.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// Keeps the console and the sync endpoint apart and applies the console's request checks. On the console's listener
/// only console endpoints answer (anything else is 404), and a console endpoint never answers on the sync listener.
/// A console request must name an allowed <c>Host</c> (its own address, <c>localhost</c> on loopback, or
/// <see cref="RelayConsoleOptions.AllowedHosts"/>; else 400, against DNS rebinding); a state-changing one must come
/// from the console's own origin (<c>Origin</c>, or <c>Sec-Fetch-Site: same-origin</c>; else 403). Every answer carries
/// a strict Content-Security-Policy and no-store caching.
/// </summary>
internal sealed class ConsoleGate(RequestDelegate next, ConsoleListener listener, IOptions<RelayConsoleOptions> options)
{
    /// <summary>The largest request body the console reads.</summary>
    public const long RequestBytesMax = 16 * 1024;

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async Task InvokeAsync(HttpContext context)
    {
        var onConsole = listener.Accepted(context.Connection);
        var consoleEndpoint = context.GetEndpoint()?.Metadata.GetMetadata<ConsoleEndpointMetadata>() is not null;
        if (!onConsole)
        {
            if (consoleEndpoint)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context).ConfigureAwait(false);
            return;
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        if (!HostAllowed(context.Request.Host))
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"This console does not answer to the host '{context.Request.Host}'. Open it at {listener.Address} (or add the name to Relay:ConsoleSettings:AllowedHosts).").ConfigureAwait(false);
            return;
        }

        if (!consoleEndpoint)
        {
            await Refuse(context, StatusCodes.Status404NotFound, "There is no such page or call on the relay console.").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !SameOrigin(context.Request))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "A change to the relay must come from the console's own page.").ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = RequestBytesMax;
        }

        await next(context).ConfigureAwait(false);
    }

    internal static Task Refuse(HttpContext context, int status, string error) =>
        Results.Json(new ProblemView(error), statusCode: status).ExecuteAsync(context);

    private bool HostAllowed(HostString host)
    {
        if (!host.HasValue || listener.EndPoint is not { } bound)
        {
            return false;
        }

        var port = host.Port ?? (listener.Secure ? 443 : 80);
        var name = host.Host.Trim('[', ']');
        if (port == bound.Port)
        {
            if (IPAddress.TryParse(name, out var address) && (address.Equals(bound.Address) || (IPAddress.IsLoopback(bound.Address) && IPAddress.IsLoopback(address))))
            {
                return true;
            }

            if (IPAddress.IsLoopback(bound.Address) && string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return options.Value.AllowedHosts.Any(allowed => allowed.Contains(':', StringComparison.Ordinal) && !allowed.StartsWith('[')
            ? string.Equals(allowed, $"{host.Host}:{port}", StringComparison.OrdinalIgnoreCase)
            : string.Equals(allowed.Trim('[', ']'), name, StringComparison.OrdinalIgnoreCase));
    }

    private static bool SameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            return Uri.TryCreate(origin, UriKind.Absolute, out var parsed)
                && string.Equals(parsed.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(new HostString(parsed.Authority).ToString(), request.Host.ToString(), StringComparison.OrdinalIgnoreCase);
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site == "same-origin";
    }
}
