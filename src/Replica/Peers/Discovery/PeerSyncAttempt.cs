namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>One anti-entropy round the discovery loop tried: its report, or why it failed.</summary>
/// <param name="Address">The peer's address.</param>
/// <param name="Report">What the round did; null when it failed.</param>
/// <param name="Error">Why it failed (<see cref="PeerUnreachableException"/>, <see cref="PeerProtocolException"/>, or an address refused without TLS); null when it succeeded.</param>
public sealed record PeerSyncAttempt(Uri Address, PeerSyncReport? Report, Exception? Error)
{
    /// <summary>True when the round completed.</summary>
    public bool Succeeded => Report is not null;
}
