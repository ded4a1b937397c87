using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Relay.Storage;

/// <summary>The operations of one write transaction of an <see cref="IRelayStore"/>. Valid only inside the work it was given to.</summary>
public interface IRelayWriteTransaction
{
    /// <summary>
    /// Called once, before any other call, with every change the transaction will decide. A store whose writers run
    /// concurrently locks the changes' records here (in one fixed order, so writers never deadlock) and may prefetch
    /// their records and outcomes. The default does nothing (a store with one writer at a time needs nothing).
    /// </summary>
    ValueTask PrepareAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The outcome first recorded for <paramref name="id"/>, if any.</summary>
    ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken);

    /// <summary>The record's stored state, or an empty state when the relay never saw it.</summary>
    ValueTask<StoredRecord> LoadRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken);

    /// <summary>Appends a change to the log and returns its sequence (the next one after the head).</summary>
    ValueTask<long> AppendLogAsync(Change change, byte[] encoded, CancellationToken cancellationToken);

    /// <summary>The encoded change logged at <paramref name="sequence"/>, or null when compacted away.</summary>
    ValueTask<byte[]?> ReadLogEntryAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a record.</summary>
    ValueTask SaveRecordAsync(StoredRecord record, CancellationToken cancellationToken);

    /// <summary>Records the outcome of a change (once per change id).</summary>
    ValueTask SaveOutcomeAsync(StoredOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// The relay's clock and origin sequence as last saved. With several writers (several relay instances) the
    /// store holds the value locked until the commit, so no two transactions allocate the same relay sequence and
    /// the relay's stamps stay monotonic across instances.
    /// </summary>
    ValueTask<RelayClockState> LoadClockAsync(CancellationToken cancellationToken);

    /// <summary>Saves the relay's clock and origin sequence.</summary>
    ValueTask SaveClockAsync(RelayClockState clock, CancellationToken cancellationToken);
}
