namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// Lets a console API call through only with a live session cookie (else 401), and a state-changing call only with
/// the session's anti-forgery token in <see cref="ConsoleSessions.AntiForgeryHeader"/> (else 403).
/// </summary>
internal sealed class ConsoleSessionFilter(ConsoleSessions sessions) : IEndpointFilter
{
    public const string SessionKey = "crdtsync.console.session";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var session = sessions.Find(http.Request.Cookies[ConsoleSessions.CookieName]);
        if (session is null)
        {
            return Results.Json(new ProblemView("Sign in with the admin credential."), statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !session.AllowsChange(http.Request.Headers[ConsoleSessions.AntiForgeryHeader].ToString()))
        {
            return Results.Json(new ProblemView($"A change needs the session's anti-forgery token in the {ConsoleSessions.AntiForgeryHeader} header."), statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[SessionKey] = session;
        return await next(context).ConfigureAwait(false);
    }
}
