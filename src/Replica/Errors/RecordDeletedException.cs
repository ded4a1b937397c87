using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>The record is deleted (or has a pending delete); it cannot be edited.</summary>
public sealed class RecordDeletedException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public RecordDeletedException(CollectionName collection, RecordId id)
        : base($"{collection}/{id} is deleted and cannot be changed. If the delete is still pending, discard it from the outbox to restore the record.")
    {
        Collection = collection;
        RecordId = id;
    }

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; }
}
