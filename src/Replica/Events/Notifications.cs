using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Events;

/// <summary>Events gathered during one transaction, raised only after it commits.</summary>
internal sealed class Notifications
{
    public List<RecordChangedEventArgs> RecordsChanged { get; } = [];

    public List<RecordStatusChangedEventArgs> StatusesChanged { get; } = [];

    public bool OutboxChanged { get; set; }

    public int OutboxCount { get; set; }

    public void Record(CollectionName collection, RecordId id, bool visibleChanged, bool exists, RecordStatus before, RecordStatus after)
    {
        if (visibleChanged)
        {
            RecordsChanged.Add(new RecordChangedEventArgs(collection, id, exists));
        }

        if (before != after)
        {
            StatusesChanged.Add(new RecordStatusChangedEventArgs(collection, id, before, after));
        }
    }

    public void Clear()
    {
        RecordsChanged.Clear();
        StatusesChanged.Clear();
        OutboxChanged = false;
    }
}
