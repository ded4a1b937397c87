using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica;

/// <summary>
/// The origin's own compensation when a user discards a plain upsert that peers may already have merged
/// (docs/design/peers.md, "Compensation"): the relay never decides that change, so no relay compensation will come.
/// </summary>
public sealed partial class ReplicaStore
{
    /// <summary>
    /// Called in the discard's transaction, after the entry is deleted. When <paramref name="discarded"/> is an upsert
    /// still waiting for the relay (queued or in flight) whose bytes the peer change store shares, stops sharing it (peers
    /// that have not received it get a skipped id) and queues an own upsert that writes, for every field it wrote, the
    /// record's value without it (null where there is none), based on that state and the discarded id. Returns the new
    /// sequence, or null when no compensation is needed (never shared, refused by the relay, which compensates itself,
    /// or nothing to restore).
    /// </summary>
    private long? CompensateSharedDiscard(Change discarded, EntryStatus status, RecordState? confirmed, DateTimeOffset now)
    {
        if (discarded.Kind != ChangeKind.Upsert || status is not (EntryStatus.Queued or EntryStatus.InFlight))
        {
            return null;
        }

        var shared = _database.Execute(
            "UPDATE peer_changes SET change = NULL WHERE origin = $p0 AND sequence = $p1 AND change IS NOT NULL",
            ReplicaId.ToByteArray(), discarded.Id.Sequence);
        if (shared == 0)
        {
            return null;
        }

        var restored = ComputeVisible(discarded.Collection, discarded.RecordId, confirmed, LoadEntries(discarded.Collection, discarded.RecordId));
        if (restored.IsDeleted || discarded.Fields.All(f => restored[f.Name] == f.Value))
        {
            return null;
        }

        var sequence = _lastSequence + 1;
        var compensation = Change.Upsert(
            new ChangeId(ReplicaId, sequence),
            _clock.Next(),
            discarded.Collection,
            discarded.RecordId,
            restored.Version.With(discarded.Id),
            discarded.Fields.Select(f => new FieldValue(f.Name, restored[f.Name])));
        InsertEntry(compensation, null, now);
        SaveIdentity(sequence);
        return sequence;
    }
}
