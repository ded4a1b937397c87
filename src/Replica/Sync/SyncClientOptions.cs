namespace CrdtSync.Replica.Sync;

/// <summary>
/// How a <see cref="SyncClient"/> reaches its relay and how patiently. Bind with the Options pattern
/// (<c>services.Configure&lt;SyncClientOptions&gt;(...)</c>) or set in code.
/// </summary>
public sealed class SyncClientOptions
{
    /// <summary>The relay's address, e.g. <c>http://127.0.0.1:5290</c> (cleartext on loopback only) or an <c>https://</c> address.</summary>
    public Uri? RelayAddress { get; set; }

    /// <summary>The device token the relay's admin made for this device (<c>CreateDevice</c>). Sent as a bearer token.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>
    /// Collections subscribed automatically after each handshake when the user may read them and the replica does not
    /// subscribe to them yet. Empty (the default): the app subscribes itself (<see cref="SyncClient.SubscribeAsync"/>).
    /// </summary>
    public IList<string> Collections { get; } = [];

    /// <summary>The first reconnect delay (before jitter). Doubles per failed attempt up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest reconnect delay (before jitter).</summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The deadline of each unary call (handshake, push, pull).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of a snapshot download (the whole stream).</summary>
    public TimeSpan SnapshotTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The deadline of one live <c>Subscribe</c> stream. When it passes the client simply subscribes again from its
    /// cursor (nothing is missed or sent twice), so a dead stream never goes unnoticed for longer.
    /// </summary>
    public TimeSpan LiveStreamTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>HTTP/2 keep-alive ping interval of the gRPC connection (detects a dead link while the stream is idle).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Entries per pull page asked of the relay; 0 for the relay's maximum (<c>limits.pullPageCountMax</c>).</summary>
    public int PullPageSize { get; set; }

    /// <summary>
    /// How many times <c>SyncAllAsync</c> retries, with the backoff delays, when the relay is momentarily unreachable
    /// (a transient failure such as a relay that just restarted), before it throws. 0 throws at once.
    /// </summary>
    public int SyncAllRetryCount { get; set; } = 3;

    /// <summary>Free text sent in the handshake for the relay's logs.</summary>
    public string ClientAgent { get; set; } = "crdtsync-replica/1.0";
}
