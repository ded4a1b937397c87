using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Errors;

/// <summary>Resolve was asked of an entry that is not a resolvable error (it is pending, deleted or forbidden).</summary>
public sealed class EntryNotResolvableException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public EntryNotResolvableException(long entryId, EntryStatus status)
        : base(status is EntryStatus.Deleted or EntryStatus.Forbidden
            ? $"Outbox entry {entryId} is {status.ToString().ToLowerInvariant()}: it cannot be retried, only discarded (export it first if you need its values)."
            : $"Outbox entry {entryId} is {status.ToString().ToLowerInvariant()}, not in error: there is nothing to resolve. Wait for its outcome.")
    {
        EntryId = entryId;
        Status = status;
    }

    /// <summary>The entry asked for.</summary>
    public long EntryId { get; }

    /// <summary>Its status.</summary>
    public EntryStatus Status { get; }
}
