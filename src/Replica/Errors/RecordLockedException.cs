using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Errors;

/// <summary>The record has an outbox entry in conflict or error: it is locked until that entry is resolved or discarded.</summary>
public sealed class RecordLockedException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public RecordLockedException(CollectionName collection, RecordId id, long entryId, EntryStatus status, string? message)
        : base($"{collection}/{id} is locked: outbox entry {entryId} is {status.ToString().ToLowerInvariant()}" +
               (message is null ? "" : $" ({message})") +
               $". Resolve or discard entry {entryId} first; other records keep syncing.")
    {
        Collection = collection;
        RecordId = id;
        EntryId = entryId;
        EntryStatus = status;
    }

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; }

    /// <summary>The entry that locks the record.</summary>
    public long EntryId { get; }

    /// <summary>Its status.</summary>
    public EntryStatus EntryStatus { get; }
}
