using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CrdtSync.Relay.Configuration;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// Signed-in console sessions, in this relay process's memory (a restart signs everyone out; with several relay
/// instances, each has its own). The browser holds the session id in an HttpOnly cookie; only its SHA-256 is kept
/// here. Each session has an anti-forgery token the page sends back in a header on every state-changing call.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time, IOptions<RelayConsoleOptions> options)
{
    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "crdtsync_console";

    /// <summary>The header carrying the anti-forgery token.</summary>
    public const string AntiForgeryHeader = "X-CrdtSync-Console-Token";

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Opens a session; returns the cookie value and the session.</summary>
    public (string CookieValue, ConsoleSession Session) Open()
    {
        var now = time.GetUtcNow();
        foreach (var (key, expired) in _sessions.Where(s => s.Value.ExpiresAt <= now))
        {
            _sessions.TryRemove(new KeyValuePair<string, ConsoleSession>(key, expired));
        }

        var cookie = NewSecret();
        var session = new ConsoleSession(NewSecret(), now + options.Value.SessionLifetime);
        _sessions[Key(cookie)] = session;
        return (cookie, session);
    }

    /// <summary>The live session of <paramref name="cookieValue"/>, or null (unknown, ended or expired).</summary>
    public ConsoleSession? Find(string? cookieValue)
    {
        if (string.IsNullOrEmpty(cookieValue) || !_sessions.TryGetValue(Key(cookieValue), out var session))
        {
            return null;
        }

        return session.ExpiresAt > time.GetUtcNow() ? session : null;
    }

    /// <summary>Ends the session of <paramref name="cookieValue"/>.</summary>
    public void End(string? cookieValue)
    {
        if (!string.IsNullOrEmpty(cookieValue))
        {
            _sessions.TryRemove(Key(cookieValue), out _);
        }
    }

    private static string Key(string cookieValue) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cookieValue)));

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A signed-in console session: its anti-forgery token and when it ends.</summary>
internal sealed record ConsoleSession(string AntiForgeryToken, DateTimeOffset ExpiresAt)
{
    /// <summary>Compares a presented anti-forgery token in constant time.</summary>
    public bool AllowsChange(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(AntiForgeryToken)));
}
