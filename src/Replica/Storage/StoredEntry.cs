using CrdtSync.Crdt.Changes;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Storage;

/// <summary>A row of <c>outbox</c> as the store needs it to recompute a record: the change, the optimistic overlay of an action's effects, the status.</summary>
internal sealed record StoredEntry(long EntryId, Change Change, Change? Overlay, EntryStatus Status, string? Message)
{
    public bool IsApplied => Status is EntryStatus.Queued or EntryStatus.InFlight;
}
