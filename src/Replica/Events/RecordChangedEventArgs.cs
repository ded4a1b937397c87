using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Events;

/// <summary>A record's visible state changed (a local edit, a merge from elsewhere, an outcome, a discard). Raised after the commit.</summary>
public sealed class RecordChangedEventArgs(CollectionName collection, RecordId recordId, bool exists) : EventArgs
{
    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; } = collection;

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; } = recordId;

    /// <summary>False when the record is now deleted or gone from this replica.</summary>
    public bool Exists { get; } = exists;
}
