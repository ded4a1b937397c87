using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CrdtSync.Replica.Tests.Model;

/// <summary>Runs a sequence of operations against a real replica (SQLite file) and the model, checking they agree after every step.</summary>
internal sealed class ModelRun : IDisposable
{
    private static readonly RecordId[] Slots = ["r0", "r1", "r2"];
    private static readonly string[] Titles = ["a", "b", "c", "d"];

    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Samples.Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
    private readonly ReplicaModel _model = new();
    private readonly FakeRelay _relay;
    private readonly OtherDevice _other;
    private ReplicaStore _store;
    private long _lastSequence;
    private ulong _lastStampTime;

    private ModelRun()
    {
        _relay = new FakeRelay(_time);
        _other = new OtherDevice(2, _time);
        _store = Open();
    }

    /// <param name="ops">The steps.</param>
    /// <param name="sabotage">For the canary only: breaks the replica behind the model's back after the first step.</param>
    public static async Task RunAsync(IReadOnlyList<Op> ops, Action<ReplicaStore>? sabotage = null)
    {
        using var run = new ModelRun();
        await run._store.ConfigureAsync(Samples.IncidentsJson, "ana", ["lead"]);
        run._store.SetConnected(true);
        for (var step = 0; step < ops.Count; step++)
        {
            try
            {
                await run.StepAsync(ops[step]);
                if (step == 0)
                {
                    sabotage?.Invoke(run._store);
                }

                await run.CheckAsync();
            }
            catch (Exception error)
            {
                throw new ModelMismatchException($"Step {step} {ops[step]} of [{string.Join(", ", ops)}]: {error.Message}", error);
            }
        }
    }

    private ReplicaStore Open() => ReplicaStore.Open(
        new ReplicaOptions { DatabasePath = _folder.File("model.db"), Durability = CommitDurability.Normal }, _time, new Random(7));

    private async Task StepAsync(Op op)
    {
        var id = Slots[op.Slot];
        var title = Titles[op.Number % Titles.Length];
        switch (op.Kind)
        {
            case OpKind.Create:
                await LocalWriteAsync(id, creating: true, null, () => _store.CreateAsync("tasks", Samples.Fields(("title", title)), id.Text));
                break;
            case OpKind.Edit:
                await LocalWriteAsync(id, creating: false, null, () => _store.UpdateAsync("tasks", id.Text, Samples.Fields(("title", title))));
                break;
            case OpKind.Act:
                var action = op.Number % 2 == 0 ? "start" : "finish";
                await LocalWriteAsync(id, creating: false, action, () => _store.PerformActionAsync("tasks", id.Text, action));
                break;
            case OpKind.Delete:
                await LocalWriteAsync(id, creating: false, null, () => _store.DeleteAsync("tasks", id.Text));
                break;
            case OpKind.Push:
                await PushAsync(1 + op.Number);
                break;
            case OpKind.Refuse:
                await RefuseAsync(op.Number);
                break;
            case OpKind.RemoteEdit:
                _relay.Commit(op.Number == 3
                    ? _other.Upsert("tasks", id.Text, _relay.StateOf("tasks", id).Version, ("state", "done"))
                    : _other.Upsert("tasks", id.Text, _relay.StateOf("tasks", id).Version, ("title", "remote-" + title)));
                break;
            case OpKind.RemoteDelete:
                if (_relay.StateOf("tasks", id).Exists)
                {
                    _relay.Commit(_other.Delete("tasks", id.Text, _relay.StateOf("tasks", id).Version));
                }

                break;
            case OpKind.Pull:
                await PullAsync();
                break;
            case OpKind.Retry:
                await RetryAsync(op.Number);
                break;
            case OpKind.Discard:
                if (_model.Entries.Count > 0)
                {
                    var entry = _model.Entries[op.Number % _model.Entries.Count];
                    await _store.DiscardAsync(entry.EntryId);
                    _model.Entries.Remove(entry);
                }

                break;
            case OpKind.Reopen:
                _store.Dispose();
                _store = Open();
                _store.SetConnected(true);
                break;
        }
    }

    /// <summary>A local write: the model predicts whether it is refused and why; on success it takes the new entry.</summary>
    private async Task LocalWriteAsync(RecordId id, bool creating, string? action, Func<Task> write)
    {
        var visible = _model.Visible(id);
        Type? expected =
            creating ? (_model.HasRow(id) ? typeof(RecordAlreadyExistsException) : null)
            : !(visible.Exists || visible.IsDeleted) ? typeof(RecordNotFoundException)
            : _model.EntriesOf(id).Any(e => e.IsError) ? typeof(RecordLockedException)
            : visible.IsDeleted ? typeof(RecordDeletedException)
            : action is not null && !ReplicaModel.GuardHolds(action, visible) ? typeof(ActionNotAvailableException)
            : null;
        var error = await Record(write);
        if (expected is null)
        {
            Ensure(error is null, $"the write should succeed but threw {error?.GetType().Name}: {error?.Message}");
            var entries = await _store.GetOutboxAsync();
            var added = entries[^1];
            Ensure(added.Status == EntryStatus.Queued && added.RecordId == id && !_model.Entries.Exists(e => e.EntryId == added.EntryId), "the new entry is not the last, queued, on its record");
            NoteNewChange(added.Change);
            _model.Entries.Add(new ReplicaModel.Entry(added.EntryId, added.Change, EntryStatus.Queued));
        }
        else
        {
            Ensure(error?.GetType() == expected, $"expected {expected.Name}, got {error?.GetType().Name ?? "success"}");
        }
    }

    private async Task PushAsync(int countMax)
    {
        var predicted = _model.Entries
            .Where(e => e.IsApplied && !_model.Entries.Any(x => x.Change.RecordId == e.Change.RecordId && x.IsError && x.EntryId < e.EntryId))
            .Take(countMax).ToList();
        var batch = await _store.TakePushBatchAsync(countMax);
        Ensure(batch.Select(b => b.EntryId).SequenceEqual(predicted.Select(e => e.EntryId)),
            $"push batch [{string.Join(",", batch.Select(b => b.EntryId))}], model [{string.Join(",", predicted.Select(e => e.EntryId))}]");
        predicted.ForEach(e => e.Status = EntryStatus.InFlight);
        var outcomes = batch.Select(b => _relay.Submit(ChangeCodec.Decode(b.ChangeBytes), _store.Principal!)).ToList();
        if (outcomes.Count > 0)
        {
            await _store.RecordOutcomesAsync(outcomes);
        }

        foreach (var outcome in outcomes)
        {
            ApplyOutcomeToModel(outcome);
        }
    }

    private void ApplyOutcomeToModel(PushOutcome outcome)
    {
        var entry = _model.Entries.Find(e => e.Change.Id == outcome.ChangeId);
        if (outcome.Outcome == OutcomeKind.Accepted)
        {
            _model.RemoveEntryOf(outcome.ChangeId);
            foreach (var bytes in outcome.CommittedChanges ?? [])
            {
                _model.Merge(ChangeCodec.Decode(bytes));
            }

            return;
        }

        if (entry is null)
        {
            return;
        }

        entry.Status = outcome.Outcome switch
        {
            OutcomeKind.Conflict => EntryStatus.Conflict,
            OutcomeKind.Invalid => EntryStatus.Invalid,
            OutcomeKind.Deleted => EntryStatus.Deleted,
            OutcomeKind.Forbidden => EntryStatus.Forbidden,
            _ => EntryStatus.ClockSkew,
        };
        if (outcome.AuthorityState is { Length: > 0 } state)
        {
            _model.Merge(RecordStateCodec.Decode(state));
        }
    }

    /// <summary>The relay (as far as this replica knows) refuses the first in-flight entry with a kind it cannot otherwise produce here.</summary>
    private async Task RefuseAsync(int number)
    {
        var entry = _model.Entries.Find(e => e.Status == EntryStatus.InFlight);
        if (entry is null)
        {
            return;
        }

        var kind = (OutcomeKind)(1 + (number % 5)); // Conflict, Invalid, Deleted, Forbidden, ClockSkew
        var outcome = new PushOutcome(entry.Change.Id, kind, "forced", "Refused by the model run.");
        await _store.RecordOutcomesAsync([outcome]);
        ApplyOutcomeToModel(outcome);
    }

    private async Task PullAsync()
    {
        foreach (var (sequence, bytes) in _relay.Log.Where(e => e.Sequence > _model.Cursor))
        {
            var change = ChangeCodec.Decode(bytes);
            _model.Merge(change);
            _model.RemoveEntryOf(change.Id);
        }

        _model.Cursor = _relay.Log.Count;
        await _relay.PullAsync(_store, "tasks");
    }

    /// <summary>Retry is checked by its effect: on success the entry is queued again with a new, later change; on a refusal nothing changed.</summary>
    private async Task RetryAsync(int number)
    {
        var errors = _model.Entries.Where(e => e.IsError).ToList();
        if (errors.Count == 0)
        {
            return;
        }

        var entry = errors[number % errors.Count];
        var error = await Record(() => _store.RetryAsync(entry.EntryId));
        if (entry.Status is EntryStatus.Deleted or EntryStatus.Forbidden)
        {
            Ensure(error is EntryNotResolvableException, $"retry of a {entry.Status} entry gave {error?.GetType().Name ?? "success"}");
            return;
        }

        if (error is null)
        {
            var retried = (await _store.GetOutboxAsync()).Single(e => e.EntryId == entry.EntryId);
            Ensure(retried.Status == EntryStatus.Queued && retried.Kind == entry.Change.Kind && retried.Change.Id.Sequence > entry.Change.Id.Sequence, "a retried entry is queued with a later change");
            NoteNewChange(retried.Change);
            entry.Change = retried.Change;
            entry.Status = EntryStatus.Queued;
        }
        else
        {
            Ensure(error is ReplicaException, $"retry threw {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>
    /// A new local change (a write or a retry) has a sequence and a stamp above every one this replica used before, including
    /// those of entries accepted or discarded since and across reopens: none is ever used twice.
    /// </summary>
    private void NoteNewChange(Change change)
    {
        Ensure(change.Id.Sequence > _lastSequence, $"change {change.Id} reuses a sequence (the last used was {_lastSequence})");
        Ensure(change.Stamp.Time > _lastStampTime, $"change {change.Id} has stamp {change.Stamp}, not after the last used ({_lastStampTime})");
        _lastSequence = change.Id.Sequence;
        _lastStampTime = change.Stamp.Time;
    }

    private async Task CheckAsync()
    {
        var entries = await _store.GetOutboxAsync();
        Ensure(entries.Select(e => (e.EntryId, e.Status)).SequenceEqual(_model.Entries.Select(e => (e.EntryId, e.Status))),
            $"outbox [{string.Join(", ", entries.Select(e => $"{e.EntryId}:{e.Status}"))}], model [{string.Join(", ", _model.Entries.Select(e => $"{e.EntryId}:{e.Status}"))}]");
        for (var i = 0; i < entries.Count; i++)
        {
            Ensure(ChangeCodec.Encode(entries[i].Change).AsSpan().SequenceEqual(ChangeCodec.Encode(_model.Entries[i].Change)), $"entry {entries[i].EntryId} holds another change");
        }

        foreach (var id in Slots)
        {
            var visible = _model.Visible(id);
            var snapshot = await _store.GetAsync("tasks", id.Text);
            Ensure((snapshot is not null) == visible.Exists, $"{id}: replica shows {(snapshot is null ? "nothing" : "a record")}, model {(visible.Exists ? "a record" : "nothing")}");
            if (snapshot is not null)
            {
                Ensure(RecordStateCodec.Encode(snapshot.State).AsSpan().SequenceEqual(RecordStateCodec.Encode(visible)),
                    $"{id}: visible {string.Join(",", snapshot.Fields)} vs model {string.Join(",", visible.SortedFields().Select(f => $"{f.Key}={f.Value.Value}"))}");
            }

            var ofRecord = await _store.GetOutboxAsync("tasks", id.Text);
            Ensure(ofRecord.Select(e => e.EntryId).SequenceEqual(_model.EntriesOf(id).Select(e => e.EntryId)),
                $"{id}: entries [{string.Join(",", ofRecord.Select(e => e.EntryId))}], model [{string.Join(",", _model.EntriesOf(id).Select(e => e.EntryId))}]");
            Ensure(await _store.GetRecordStatusAsync("tasks", id.Text) == _model.Status(id), $"{id}: status {await _store.GetRecordStatusAsync("tasks", id.Text)} vs model {_model.Status(id)}");
            var confirmed = _store.GetConfirmed("tasks", id);
            var modelConfirmed = _model.Confirmed.GetValueOrDefault(id);
            Ensure((confirmed is null) == (modelConfirmed is null) &&
                   (confirmed is null || RecordStateCodec.Encode(confirmed).AsSpan().SequenceEqual(RecordStateCodec.Encode(modelConfirmed!))),
                $"{id}: confirmed state differs from the model");
        }
    }

    private static async Task<Exception?> Record(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    private static void Ensure(bool condition, string message)
    {
        if (!condition)
        {
            throw new ModelMismatchException(message);
        }
    }

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }
}

internal sealed class ModelMismatchException(string message, Exception? inner = null) : Exception(message, inner);
