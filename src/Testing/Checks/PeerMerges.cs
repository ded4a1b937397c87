using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Testing.Checks;

/// <summary>What the convergence check needs to know in a run with peer links: the relay's log, and what each replica took in from peers.</summary>
/// <param name="Accepted">The relay's whole log: change id → log sequence.</param>
/// <param name="Received">By replica, every change it took in from a peer, with its record.</param>
internal sealed record PeerMerges(
    IReadOnlyDictionary<ChangeId, long> Accepted,
    IReadOnlyDictionary<int, Dictionary<ChangeId, (CollectionName Collection, RecordId Record)>> Received);
