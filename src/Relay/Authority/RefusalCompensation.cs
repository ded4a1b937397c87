using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// The compensating change the relay commits when it refuses an upsert that peers may already have merged
/// (DESIGN.md §6, docs/design/peers.md): a relay-origin upsert that writes, for every field the refused change wrote,
/// the relay's current value (null where the relay has none), with a stamp greater than the refused one and a base
/// that includes the refused change. Every replica that merged the refused change and pulls the log then holds the
/// relay's values again: the compensation beats the refused write by stamp, and having seen it, keeps it out of the journal.
/// </summary>
internal static class RefusalCompensation
{
    /// <summary>
    /// True when <paramref name="refused"/>, refused as <paramref name="outcome"/> against <paramref name="current"/>,
    /// needs a compensation: an upsert that writes at least one field of a record that is not deleted, refused for any
    /// reason but clock skew. (A clock-skewed change is re-stamped and retried by its origin, and its stamp is beyond what
    /// the relay may issue; on a deleted record the tombstone already absorbs every write.)
    /// </summary>
    public static bool IsNeeded(Change refused, OutcomeKind outcome, RecordState current) =>
        refused.Kind == ChangeKind.Upsert
        && refused.Fields.Count > 0
        && outcome is not (OutcomeKind.Accepted or OutcomeKind.ClockSkew)
        && !current.IsDeleted;

    /// <summary>The compensation for <paramref name="refused"/> on the relay's <paramref name="current"/> state.</summary>
    public static Change Make(Change refused, RecordState current, ChangeId id, Stamp stamp) =>
        Change.Upsert(
            id,
            stamp,
            refused.Collection,
            refused.RecordId,
            current.Version.With(refused.Id),
            refused.Fields.Select(f => new FieldValue(f.Name, current[f.Name])));
}
