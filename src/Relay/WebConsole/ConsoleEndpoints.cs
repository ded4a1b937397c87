using System.Globalization;
using System.Net;
using System.Text.Json;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// The console's routes: the page and its assets, and a JSON API under <c>/api</c> (docs/relay.md, "Relay console"):
/// <c>POST/GET/DELETE /api/session</c> (sign in, who am I, sign out), <c>GET /api/devices</c>, <c>GET /api/outcomes</c>,
/// <c>GET /api/records/{collection}/{id}</c>, <c>GET /api/grants</c>, <c>POST /api/grants</c>.
/// </summary>
internal static class ConsoleEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var console = endpoints.MapGroup(string.Empty).WithMetadata(ConsoleEndpointMetadata.Instance);
        foreach (var (path, file) in ConsoleAssets.Routes)
        {
            console.MapGet(path, () => ConsoleAssets.Serve(file));
        }

        console.MapPost("/api/session", SignInAsync);

        var api = console.MapGroup("/api").AddEndpointFilter<ConsoleSessionFilter>();
        api.MapGet("/session", (HttpContext http) => View((ConsoleSession)http.Items[ConsoleSessionFilter.SessionKey]!));
        api.MapDelete("/session", (HttpContext http, ConsoleSessions sessions) =>
        {
            sessions.End(http.Request.Cookies[ConsoleSessions.CookieName]);
            http.Response.Cookies.Delete(ConsoleSessions.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
            return Results.NoContent();
        });
        api.MapGet("/devices", (ConsoleQueries queries, CancellationToken ct) => queries.DevicesAsync(ct));
        api.MapGet("/outcomes", (ConsoleQueries queries, CancellationToken ct) => queries.OutcomesAsync(ct));
        api.MapGet("/records/{collection}/{id}", (string collection, string id, ConsoleQueries queries, CancellationToken ct) =>
            Refusals(() => queries.RecordAsync(collection, id, ct)));
        api.MapGet("/grants", (ConsoleQueries queries, CancellationToken ct) => queries.GrantsAsync(ct));
        api.MapPost("/grants", async (HttpContext http, ConsoleQueries queries, CancellationToken ct) =>
        {
            var (request, problem) = await ReadAsync<GrantRequest>(http, ct).ConfigureAwait(false);
            return problem ?? await Refusals(() => queries.SetGrantAsync(request!, ct)).ConfigureAwait(false);
        });
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http,
        ConsoleSessions sessions,
        ConsoleSignInLimiter limiter,
        AdminCredential credential,
        ConsoleListener listener,
        ConsoleMetrics metrics,
        IOptions<RelayConsoleOptions> options,
        CancellationToken cancellationToken)
    {
        var client = http.Connection.RemoteIpAddress ?? IPAddress.None;
        if (limiter.LockedFor(client) is { } wait)
        {
            metrics.SignIn("limited");
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Results.Json(new ProblemView($"Too many wrong credentials. Try again in {seconds} s."), statusCode: StatusCodes.Status429TooManyRequests);
        }

        var (request, problem) = await ReadAsync<SignInRequest>(http, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.Credential is not { Length: > 0 } given || !TokenHasher.Matches(given, credential.Value))
        {
            limiter.Failed(client);
            metrics.SignIn("wrong_credential");
            return Results.Json(new ProblemView("That is not the admin credential."), statusCode: StatusCodes.Status401Unauthorized);
        }

        limiter.Succeeded(client);
        metrics.SignIn("signed_in");
        var (cookie, session) = sessions.Open();
        http.Response.Cookies.Append(ConsoleSessions.CookieName, cookie, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = listener.Secure,
            Path = "/",
            MaxAge = options.Value.SessionLifetime,
            IsEssential = true,
        });
        return View(session);
    }

    private static IResult View(ConsoleSession session) => Results.Json(new SessionView(session.AntiForgeryToken, session.ExpiresAt));

    private static async Task<IResult> Refusals<T>(Func<Task<T>> read)
    {
        try
        {
            return Results.Json(await read().ConfigureAwait(false));
        }
        catch (RelayRequestException refusal) when (refusal.Kind == RelayErrorKind.InvalidArgument)
        {
            return Results.Json(new ProblemView(refusal.Message), statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, CancellationToken cancellationToken)
        where T : class
    {
        if (!http.Request.HasJsonContentType())
        {
            return (null, Results.Json(new ProblemView("Send a JSON body (Content-Type: application/json)."), statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        try
        {
            var value = await http.Request.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, cancellationToken).ConfigureAwait(false);
            return value is null ? (null, Results.Json(new ProblemView("The body is empty."), statusCode: StatusCodes.Status400BadRequest)) : (value, null);
        }
        catch (JsonException)
        {
            return (null, Results.Json(new ProblemView("The body is not valid JSON of the expected shape."), statusCode: StatusCodes.Status400BadRequest));
        }
        catch (BadHttpRequestException tooLarge)
        {
            return (null, Results.Json(new ProblemView(tooLarge.Message), statusCode: tooLarge.StatusCode));
        }
    }
}
