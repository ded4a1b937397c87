using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// The operations of one write transaction of an <see cref="IRelayStore"/>. Valid only inside the work it was given to.
/// </summary>
/// <remarks>
/// The writes are batch-shaped so that a store can keep its exclusive part short: the authority decides a whole push
/// first (reads only), then saves the records, appends the log entries in one call, and saves the outcomes.
/// </remarks>
public interface IRelayWriteTransaction
{
    /// <summary>
    /// Called once, before any other call, with every change the transaction will decide. A store whose writers run
    /// concurrently locks the changes' records here (in one fixed order, so writers never deadlock); a store may
    /// prefetch their records and outcomes. The default does nothing (a store with one writer at a time needs nothing).
    /// </summary>
    ValueTask PrepareAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The outcome first recorded for <paramref name="id"/>, if any.</summary>
    ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken);

    /// <summary>The record's stored state, or an empty state when the relay never saw it.</summary>
    ValueTask<StoredRecord> LoadRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="entries"/> to the log, in order, under consecutive sequences after the head, and returns
    /// the sequence of the first. The sequences become visible to readers only with the commit, in sequence order.
    /// </summary>
    ValueTask<long> AppendLogAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken);

    /// <summary>The encoded change logged at <paramref name="sequence"/>, or null when compacted away.</summary>
    ValueTask<byte[]?> ReadLogEntryAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces records (at most one state per record).</summary>
    ValueTask SaveRecordsAsync(IReadOnlyCollection<StoredRecord> records, CancellationToken cancellationToken);

    /// <summary>Records the outcomes of changes (once per change id).</summary>
    ValueTask SaveOutcomesAsync(IReadOnlyList<StoredOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>
    /// The relay's clock and origin sequence as last saved. With several writers (several relay instances) the
    /// store holds the value locked until the commit, so no two transactions allocate the same relay sequence and
    /// the relay's stamps stay monotonic across instances.
    /// </summary>
    ValueTask<RelayClockState> LoadClockAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Raises the saved relay clock and origin sequence to at least <paramref name="clock"/> (each part keeps the
    /// greater of the saved and the given value), so a writer that did not load them cannot lower them.
    /// </summary>
    ValueTask SaveClockAsync(RelayClockState clock, CancellationToken cancellationToken);
}
