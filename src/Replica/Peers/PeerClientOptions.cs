namespace CrdtSync.Replica.Peers;

/// <summary>How a replica calls its peers (<see cref="PeerClient"/>).</summary>
public sealed class PeerClientOptions
{
    /// <summary>The team's shared secret (at least 16 characters). Required.</summary>
    public string TeamSecret { get; set; } = string.Empty;

    /// <summary>Call a non-loopback peer over cleartext (<c>http://</c>): the team secret then travels in clear. Off by default.</summary>
    public bool AllowInsecureRemote { get; set; }

    /// <summary>
    /// The SHA-256 of the peers' certificate (hex), for teams that use a self-signed certificate: it is then accepted when it
    /// matches, whatever its chain. Null: the system's trust applies.
    /// </summary>
    public string? PinnedCertificateSha256 { get; set; }

    /// <summary>The deadline of each call. Default 30 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most change ids asked for or sent in one message. Default 2,000.</summary>
    public int PageCountMax { get; set; } = 2_000;

    /// <summary>The largest message received, in bytes. Default 16 MiB.</summary>
    public int MessageBytesMax { get; set; } = 16 * 1024 * 1024;
}
