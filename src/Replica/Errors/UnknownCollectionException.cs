using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>The configuration has no such collection.</summary>
public sealed class UnknownCollectionException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public UnknownCollectionException(CollectionName collection, IEnumerable<CollectionName> known)
        : base($"There is no collection '{collection}'. Known collections: {string.Join(", ", known.Select(c => c.Text).Order(StringComparer.Ordinal))}.")
    {
        Collection = collection;
    }

    /// <summary>The collection asked for.</summary>
    public CollectionName Collection { get; }
}
