using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Events;

/// <summary>A record's sync status changed. Raised after the commit.</summary>
public sealed class RecordStatusChangedEventArgs(CollectionName collection, RecordId recordId, RecordStatus before, RecordStatus after) : EventArgs
{
    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; } = collection;

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; } = recordId;

    /// <summary>The status before.</summary>
    public RecordStatus Before { get; } = before;

    /// <summary>The status now.</summary>
    public RecordStatus After { get; } = after;
}
