using System.Collections.Concurrent;
using System.Net;
using CrdtSync.Relay.Configuration;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// Counts wrong credentials per client address in a fixed window (<see cref="RelayConsoleOptions.SignInFailureWindow"/>,
/// starting at the first failure). Once <see cref="RelayConsoleOptions.SignInFailuresMax"/> are reached, every sign-in
/// from that address, right or wrong, is refused until the window ends, so guessing cannot go on. A successful
/// sign-in clears the count.
/// </summary>
internal sealed class ConsoleSignInLimiter(TimeProvider time, IOptions<RelayConsoleOptions> options)
{
    /// <summary>Past this many counted addresses, ended windows are dropped before counting another failure.</summary>
    private const int WindowsBeforePruning = 1024;

    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    /// <summary>How long <paramref name="client"/> must wait before trying again, or null when it may try now.</summary>
    public TimeSpan? LockedFor(IPAddress client)
    {
        var now = time.GetUtcNow();
        if (!_windows.TryGetValue(client, out var window) || window.EndsAt <= now)
        {
            return null;
        }

        return window.Failures >= options.Value.SignInFailuresMax ? window.EndsAt - now : null;
    }

    /// <summary>Counts a wrong credential from <paramref name="client"/>.</summary>
    public void Failed(IPAddress client)
    {
        var now = time.GetUtcNow();
        if (_windows.Count >= WindowsBeforePruning)
        {
            foreach (var (address, ended) in _windows.Where(w => w.Value.EndsAt <= now))
            {
                _windows.TryRemove(new KeyValuePair<IPAddress, Window>(address, ended));
            }
        }

        _windows.AddOrUpdate(
            client,
            _ => new Window(now + options.Value.SignInFailureWindow, 1),
            (_, window) => window.EndsAt <= now ? new Window(now + options.Value.SignInFailureWindow, 1) : window with { Failures = window.Failures + 1 });
    }

    /// <summary>Clears the count of <paramref name="client"/> after a successful sign-in.</summary>
    public void Succeeded(IPAddress client) => _windows.TryRemove(client, out _);

    private sealed record Window(DateTimeOffset EndsAt, int Failures);
}
