using System.Diagnostics.Metrics;

namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>The discovery loop's counters, on the meter <c>CrdtSync.Replica.Peers</c>.</summary>
internal static class PeerDiscoveryMetrics
{
    public const string MeterName = "CrdtSync.Replica.Peers";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Anti-entropy rounds with a peer, tagged <c>outcome</c> (<c>synced</c> or <c>failed</c>).</summary>
    public static readonly Counter<long> Syncs = Meter.CreateCounter<long>("crdtsync.peers.syncs", "{round}");

    /// <summary>Change ids taken in from peers by the loop.</summary>
    public static readonly Counter<long> ReceivedChanges = Meter.CreateCounter<long>("crdtsync.peers.received_changes", "{change}");

    /// <summary>Peer changes not merged because their stamp is further ahead of this replica's clock than the skew bound.</summary>
    public static readonly Counter<long> TooFarAhead = Meter.CreateCounter<long>("crdtsync.peers.too_far_ahead", "{change}");

    /// <summary>Announcements heard, tagged <c>outcome</c> (<c>accepted</c>, <c>stranger</c>, <c>self</c>, <c>insecure</c>, <c>invalid</c>).</summary>
    public static readonly Counter<long> Announcements = Meter.CreateCounter<long>("crdtsync.peers.announcements", "{datagram}");
}
