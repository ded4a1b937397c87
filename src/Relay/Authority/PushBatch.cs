using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// What one push decides before anything is written: the log entries to append (positions, not yet sequences), the
/// records it changed (one state each), and one pending outcome per change in push order. <see cref="WriteAsync"/>
/// then writes it with one call per kind, so a store's exclusive part (the log sequence) is as short as the writes.
/// </summary>
internal sealed class PushBatch
{
    private readonly List<LogAppend> _entries = [];
    private readonly Dictionary<(CollectionName, RecordId), StoredRecord> _records = [];
    private readonly Dictionary<ChangeId, int> _decided = [];
    private readonly List<Pending> _pending = [];

    /// <summary>Log entries this batch appends.</summary>
    public int AppendedCount => _entries.Count;

    /// <summary>The record as this batch left it, else as the store has it.</summary>
    public async ValueTask<StoredRecord> LoadRecordAsync(IRelayWriteTransaction transaction, CollectionName collection, RecordId id, CancellationToken cancellationToken) =>
        _records.TryGetValue((collection, id), out var record)
            ? record
            : await transaction.LoadRecordAsync(collection, id, cancellationToken).ConfigureAwait(false);

    /// <summary>The position of the outcome this batch already decided for <paramref name="id"/>, if any.</summary>
    public bool TryGetDecided(ChangeId id, out int position) => _decided.TryGetValue(id, out position);

    /// <summary>Adds a log entry; returns its position in the batch.</summary>
    public int Append(LogAppend entry)
    {
        _entries.Add(entry);
        return _entries.Count - 1;
    }

    /// <summary>Keeps the record's new state to save.</summary>
    public void SaveRecord(StoredRecord record) => _records[(record.State.Collection, record.State.Id)] = record;

    /// <summary>
    /// A new outcome (to store) for a change decided now; accepted ones name their entries by position, a refused one
    /// its compensation (as the effect position) when the relay committed one.
    /// </summary>
    public void Decided(StoredOutcome outcome, int logPosition, int effectPosition, RecordState? currentState)
    {
        _decided[outcome.Id] = _pending.Count;
        _pending.Add(new Pending(outcome, logPosition, effectPosition, currentState, null, IsNew: true));
    }

    /// <summary>A re-push of a change decided earlier in this batch: the same outcome, marked repeated.</summary>
    public void RepeatedHere(int position, RecordState? currentState) =>
        _pending.Add(_pending[position] with { CurrentState = currentState, IsNew = false });

    /// <summary>A re-push of a change decided by an earlier transaction.</summary>
    public void RepeatedEarlier(PushResult result) => _pending.Add(new Pending(result.Outcome, -1, -1, null, result, IsNew: false));

    /// <summary>Writes the records, the log entries (one call: consecutive sequences) and the new outcomes; returns the results in push order.</summary>
    public async ValueTask<IReadOnlyList<PushResult>> WriteAsync(IRelayWriteTransaction transaction, CancellationToken cancellationToken)
    {
        if (_records.Count > 0)
        {
            await transaction.SaveRecordsAsync(_records.Values, cancellationToken).ConfigureAwait(false);
        }

        var first = _entries.Count > 0 ? await transaction.AppendLogAsync(_entries, cancellationToken).ConfigureAwait(false) : 0;
        long SequenceOf(int position) => position < 0 ? 0 : first + position;

        var outcomes = new List<StoredOutcome>(_pending.Count);
        var results = new List<PushResult>(_pending.Count);
        foreach (var pending in _pending)
        {
            if (pending.Earlier is { } earlier)
            {
                results.Add(earlier);
                continue;
            }

            var outcome = pending.LogPosition < 0 && pending.EffectPosition < 0
                ? pending.Outcome
                : pending.Outcome with { LogSequence = SequenceOf(pending.LogPosition), EffectSequence = SequenceOf(pending.EffectPosition) };
            if (pending.IsNew)
            {
                outcomes.Add(outcome);
            }

            IReadOnlyList<byte[]> committed = pending.LogPosition < 0
                ? []
                : pending.EffectPosition < 0 ? [_entries[pending.LogPosition].Change] : [_entries[pending.LogPosition].Change, _entries[pending.EffectPosition].Change];
            results.Add(new PushResult(outcome, committed, pending.CurrentState, !pending.IsNew));
        }

        if (outcomes.Count > 0)
        {
            await transaction.SaveOutcomesAsync(outcomes, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private sealed record Pending(StoredOutcome Outcome, int LogPosition, int EffectPosition, RecordState? CurrentState, PushResult? Earlier, bool IsNew);
}
