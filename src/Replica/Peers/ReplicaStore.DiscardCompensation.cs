using Microsoft.Extensions.Logging;
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
    /// still waiting for the relay (queued or in flight) or refused for clock skew (the relay compensates no such
    /// refusal) whose bytes the peer change store shares, stops sharing it (peers
    /// that have not received it get a skipped id) and queues an own upsert that writes, for every field it wrote, the
    /// record's value without it (null where there is none), based on that state and the discarded id. Returns the new
    /// sequence, or null when no compensation is needed (never shared, refused by the relay, which compensates itself,
    /// or nothing to restore).
    /// </summary>
    private long? CompensateSharedDiscard(Change discarded, EntryStatus status, RecordState? confirmed, DateTimeOffset now)
    {
        if (discarded.Kind != ChangeKind.Upsert || status is not (EntryStatus.Queued or EntryStatus.InFlight or EntryStatus.ClockSkew))
        {
            return null;
        }

        if (!Unshare(discarded.Id) && status != EntryStatus.ClockSkew)
        {
            return null;
        }

        _logger.LogInformation("Own change {ChangeId}, discarded, is no longer shared with peers", discarded.Id);
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
        ListEntryInRecord(discarded.Collection, discarded.RecordId, sequence);
        return sequence;
    }

    /// <summary>
    /// Called in the re-stamp's transaction when an entry refused for clock skew is retried under a new id: the old id's
    /// bytes stop being shared (it becomes a skipped id in the change store), so peers that have not merged it receive
    /// the skip and move on. A peer that merged it already holds a value the relay never decided; the re-stamped change,
    /// writing the same fields with a greater stamp, replaces it there (docs/design/peers.md, "Clock skew among peers").
    /// </summary>
    private void StopSharingRestamped(Change old, EntryStatus status)
    {
        if (status != EntryStatus.ClockSkew)
        {
            return;
        }

        if (Unshare(old.Id))
        {
            _logger.LogInformation("Own change {ChangeId}, refused for clock skew and stamped again, is no longer shared with peers", old.Id);
        }
    }

    /// <summary>Turns an own change shared with its bytes into a skipped id in the change store; true when it was shared.</summary>
    private bool Unshare(ChangeId own) =>
        _database.Execute(
            "UPDATE peer_changes SET change = NULL WHERE origin = $p0 AND sequence = $p1 AND change IS NOT NULL",
            own.Origin.ToByteArray(), own.Sequence) > 0;

    /// <summary>
    /// The base of a re-stamped entry: the record's visible version, plus the old id when the entry was refused for clock
    /// skew (peers may have merged the old change; the new one has seen it, so it replaces it there unjournaled, as on
    /// the relay, which never merged it).
    /// </summary>
    private static VersionVector RestampBase(Change old, EntryStatus status, VersionVector visible) =>
        status == EntryStatus.ClockSkew ? visible.With(old.Id) : visible;
}
