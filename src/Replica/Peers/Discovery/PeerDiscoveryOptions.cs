namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>Which peers a replica syncs with in the background (<see cref="PeerDiscoveryService"/>), and how it finds them.</summary>
public sealed class PeerDiscoveryOptions
{
    /// <summary>How to call peers; its <see cref="PeerClientOptions.TeamSecret"/> is also what the team tag is made of. Required.</summary>
    public PeerClientOptions Client { get; set; } = new();

    /// <summary>The manual peer list: addresses synced with at every round, announced or not.</summary>
    public IList<Uri> Peers { get; } = [];

    /// <summary>Listen for the team's UDP multicast announcements and announce this replica. Off by default (opt-in).</summary>
    public bool Multicast { get; set; }

    /// <summary>The multicast group announcements go to. Default <c>239.255.67.83</c> (organisation-local scope).</summary>
    public string MulticastGroup { get; set; } = "239.255.67.83";

    /// <summary>The UDP port of the group. Default 5301.</summary>
    public int MulticastPort { get; set; } = 5301;

    /// <summary>
    /// The address of the interface to announce and listen on (e.g. the LAN address, or <c>127.0.0.1</c> to keep
    /// everything on loopback). Null: the system's choice.
    /// </summary>
    public string? MulticastInterface { get; set; }

    /// <summary>Hops an announcement may travel. Default 1 (the local network only).</summary>
    public int MulticastTimeToLive { get; set; } = 1;

    /// <summary>
    /// Where peers reach this replica's endpoint (usually <see cref="PeerServer.Address"/>). Null: listen for announcements
    /// but announce nothing.
    /// </summary>
    public Uri? AdvertisedAddress { get; set; }

    /// <summary>How often this replica announces itself. Default 5 s.</summary>
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an announced peer is kept without a new announcement. Default 30 s.</summary>
    public TimeSpan AnnouncementLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often every known peer is synced with. Default 10 s; a newly announced peer is synced with at once.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(10);
}
