using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica.Peers;

/// <summary>What one anti-entropy round with a peer did.</summary>
/// <param name="Peer">The peer's replica id.</param>
/// <param name="Received">Change ids this replica took in (merged or recorded as skipped).</param>
/// <param name="Sent">Change ids the peer took in.</param>
/// <param name="HeldHere">Change ids held here afterwards, waiting for a predecessor.</param>
/// <param name="HeldThere">Change ids held by the peer after the last push.</param>
/// <param name="BytesReceived">Protobuf payload bytes of the answers received.</param>
/// <param name="BytesSent">Protobuf payload bytes of the requests sent.</param>
/// <param name="Calls">How many calls the round made.</param>
/// <param name="TooFarAheadHere">Changes received but not merged here because their stamp is beyond this replica's clock-skew bound (<see cref="PeerRefusalReason.ClockSkew"/>).</param>
public sealed record PeerSyncReport(ReplicaId Peer, int Received, int Sent, int HeldHere, int HeldThere, long BytesReceived, long BytesSent, int Calls, int TooFarAheadHere = 0);
