using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Outbox;

/// <summary>
/// One pending change as the user sees it: what it does, when, where it stands, and for an error
/// the machine reason, a message a person understands and the authority's current state of the record.
/// </summary>
/// <param name="EntryId">Stable id of the entry in this replica (its order in the outbox).</param>
/// <param name="Change">The change as it will be (or was) pushed.</param>
/// <param name="CreatedAt">When the user made the change (or last resolved it).</param>
/// <param name="Status">Queued, in flight, or the error.</param>
/// <param name="Reason">The authority's machine reason for an error (e.g. <c>guard_failed</c>), else null.</param>
/// <param name="Message">A message a person understands for an error, else null.</param>
/// <param name="AuthorityState">The authority's current state of the record when it refused the change, when it sent one.</param>
/// <param name="Attempts">How many times the change was handed to the sync client.</param>
public sealed record OutboxEntry(
    long EntryId,
    Change Change,
    DateTimeOffset CreatedAt,
    EntryStatus Status,
    string? Reason,
    string? Message,
    RecordState? AuthorityState,
    int Attempts)
{
    /// <summary>The record's collection.</summary>
    public CollectionName Collection => Change.Collection;

    /// <summary>The record's id.</summary>
    public RecordId RecordId => Change.RecordId;

    /// <summary>Upsert, action or delete.</summary>
    public ChangeKind Kind => Change.Kind;

    /// <summary>True for an error status (the record is locked until it is resolved or discarded).</summary>
    public bool IsError => Status >= EntryStatus.Conflict;

    /// <summary>True when the error can be resolved (edit or retry); deleted and forbidden can only be discarded.</summary>
    public bool IsResolvable => Status is EntryStatus.Conflict or EntryStatus.Invalid or EntryStatus.ClockSkew;
}
