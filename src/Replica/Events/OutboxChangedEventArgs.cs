namespace CrdtSync.Replica.Events;

/// <summary>The outbox changed (an entry was added, its status changed, or it was removed). Raised after the commit.</summary>
public sealed class OutboxChangedEventArgs(int entryCount) : EventArgs
{
    /// <summary>How many entries the outbox holds now.</summary>
    public int EntryCount { get; } = entryCount;
}
