namespace CrdtSync.WebConsole;

/// <summary>How the replica console is served (docs/console.md).</summary>
public sealed class ReplicaConsoleOptions
{
    /// <summary>The default address: loopback, a fixed port.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5380";

    /// <summary>
    /// Where to listen, separated by <c>;</c>. Only loopback addresses are accepted (<c>127.0.0.1</c>, <c>[::1]</c>,
    /// <c>localhost</c>) over http; port 0 picks a free port. Anything else is refused with <see cref="ConsoleAddressException"/>.
    /// </summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>How often an open event stream gets a keep-alive comment, so proxies and browsers keep it open.</summary>
    public TimeSpan EventStreamKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;
}
