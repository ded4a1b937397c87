using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>The record does not exist in this replica.</summary>
public sealed class RecordNotFoundException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public RecordNotFoundException(CollectionName collection, RecordId id)
        : base($"{collection}/{id} does not exist in this replica. Create it first, or subscribe to '{collection}' and sync to download it.")
    {
        Collection = collection;
        RecordId = id;
    }

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; }
}
