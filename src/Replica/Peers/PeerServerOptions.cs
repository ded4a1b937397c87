namespace CrdtSync.Replica.Peers;

/// <summary>Where and how a replica serves its peers (<see cref="PeerServer"/>).</summary>
public sealed class PeerServerOptions
{
    /// <summary>The IP address to listen on, e.g. <c>127.0.0.2</c> or a LAN address. Default <c>127.0.0.1</c>.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (<see cref="PeerServer.Address"/> tells which).</summary>
    public int Port { get; set; }

    /// <summary>The team's shared secret (at least 16 characters). Required.</summary>
    public string TeamSecret { get; set; } = string.Empty;

    /// <summary>A PKCS#12 certificate for TLS. Required on a non-loopback address unless <see cref="AllowInsecureRemote"/>.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's password, if any.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Serve cleartext (h2c) on a non-loopback address: the team secret then travels in clear. Off by default.</summary>
    public bool AllowInsecureRemote { get; set; }

    /// <summary>The most change ids one Pull answer carries. Default 2,000.</summary>
    public int PageCountMax { get; set; } = 2_000;

    /// <summary>The largest message received, in bytes. Default 16 MiB.</summary>
    public int MessageBytesMax { get; set; } = 16 * 1024 * 1024;
}
