using CrdtSync.Replica.Events;

namespace CrdtSync.Replica;

/// <summary>
/// The outbox count carried by <see cref="OutboxChanged"/> after a local write, without counting the whole outbox each
/// time (a <c>count(*)</c> reads every entry: O(backlog) per edit once a sync client listens).
/// </summary>
/// <remarks>
/// The count is kept with SQLite's <c>total_changes()</c> of this connection (the only writer of the file) at the time it
/// was known: a local write that finds it unchanged adds one; anything else that wrote in between makes it count again.
/// </remarks>
public sealed partial class ReplicaStore
{
    private int _outboxCount = -1;
    private long _outboxCountAtChanges = -1;

    /// <summary>This connection's change counter now, when someone listens to <see cref="OutboxChanged"/>; else -1.</summary>
    private long ChangesIfCounting() => OutboxChanged is null ? -1 : (long)_database.Scalar("SELECT total_changes()")!;

    /// <summary>After a committed local write that added one entry: marks the outbox changed and counts it (only when someone listens).</summary>
    private void NoteOutboxEntryAdded(Notifications notes, long changesBefore)
    {
        notes.OutboxChanged = true;
        if (OutboxChanged is null)
        {
            return;
        }

        _outboxCount = changesBefore >= 0 && changesBefore == _outboxCountAtChanges
            ? _outboxCount + 1
            : (int)(long)_database.Scalar("SELECT count(*) FROM outbox")!;
        _outboxCountAtChanges = (long)_database.Scalar("SELECT total_changes()")!;
        notes.OutboxCount = _outboxCount;
    }
}
