using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>A create named a record id that is already taken.</summary>
public sealed class RecordAlreadyExistsException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public RecordAlreadyExistsException(CollectionName collection, RecordId id)
        : base($"{collection}/{id} already exists (or was deleted; ids are never reused). Edit it with UpdateAsync, or create without an id to get a new one.")
    {
        Collection = collection;
        RecordId = id;
    }

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; }
}
