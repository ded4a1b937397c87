namespace CrdtSync.Replica.Peers;

/// <summary>What applying a <see cref="PeerChangeSet"/> did.</summary>
/// <param name="Applied">Change ids newly taken into the change store (merged when shareable, recorded when skipped), including those released from hold.</param>
/// <param name="Duplicates">Change ids already known (ignored: applying a change twice is a no-op).</param>
/// <param name="Held">Change ids now held because a predecessor from the same origin is missing (all origins, after this apply).</param>
/// <param name="TooFarAhead">Changes not taken in because their stamp is beyond this replica's clock-skew bound (<see cref="PeerRefusalReason.ClockSkew"/>); asked for again next round.</param>
/// <param name="Released">Of <paramref name="Applied"/>, those that had been held and were released because their predecessor arrived.</param>
public sealed record PeerApplyReport(int Applied, int Duplicates, int Held, int Released, int TooFarAhead = 0);
