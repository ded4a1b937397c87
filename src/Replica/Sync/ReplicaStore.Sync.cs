using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Diagnostics;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Storage;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Replica;

/// <summary>The sync-facing side (<see cref="IReplicaSync"/>): push batches, outcomes, pulled batches, revocations.</summary>
public sealed partial class ReplicaStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<PendingChange>> TakePushBatchAsync(int countMax, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(countMax);
        return Serialized<IReadOnlyList<PendingChange>>(notes =>
        {
            if (_offlineMode)
            {
                return [];
            }

            var batch = new List<PendingChange>();
            using (var reader = _database.Command(
                """
                SELECT o.entry_id, o.change_sequence, o.change FROM outbox o
                WHERE o.status IN (0, 1) AND NOT EXISTS (
                    SELECT 1 FROM outbox e WHERE e.collection = o.collection AND e.record_id = o.record_id AND e.status >= 2 AND e.entry_id < o.entry_id)
                ORDER BY o.entry_id LIMIT $p0
                """, (long)countMax).ExecuteReader())
            {
                while (reader.Read())
                {
                    batch.Add(new PendingChange(reader.GetInt64(0), new Crdt.Versions.ChangeId(ReplicaId, reader.GetInt64(1)), (byte[])reader[2]));
                }
            }

            if (batch.Count > 0)
            {
                InTransaction(() =>
                {
                    foreach (var pending in batch)
                    {
                        _database.Execute("UPDATE outbox SET status = 1, attempts = attempts + 1 WHERE entry_id = $p0", pending.EntryId);
                    }

                    NoteOutboxChanged(notes);
                });
            }

            return batch;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordOutcomesAsync(IReadOnlyList<PushOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);

        // Decode everything first: bad bytes refuse the whole call before anything is written.
        var decoded = outcomes.Select(o => (
            Outcome: o,
            Committed: (o.CommittedChanges ?? []).Select(b => ChangeCodec.Decode(b)).ToList(),
            Authority: o.AuthorityState is { } bytes && bytes.Length > 0 ? RecordStateCodec.Decode(bytes) : null)).ToList();
        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                // First the outbox side of every outcome, then each touched record is merged and recomputed once.
                var merge = new RecordMerge();
                foreach (var (outcome, committed, authority) in decoded)
                {
                    RecordOutcome(outcome, committed, authority, merge);
                }

                MergeIntoConfirmed(merge, notes);
                NoteOutboxChanged(notes);
                SaveClock();
                FaultPoints.Hit(ReplicaFaultPoint.OutcomesBeforeCommit);
            });
            FaultPoints.Hit(ReplicaFaultPoint.OutcomesAfterCommit);
            return true;
        }, cancellationToken);
    }

    /// <summary>Fault hooks for the simulator (nothing happens unless one is set).</summary>
    internal ReplicaFaultPoints FaultPoints { get; } = new();

    /// <summary>The outbox side of one outcome; what it does to confirmed states is gathered in <paramref name="merge"/>.</summary>
    private void RecordOutcome(PushOutcome outcome, List<Change> committed, RecordState? authority, RecordMerge merge)
    {
        ReplicaMetrics.Outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Outcome.ToString()));
        if (outcome.ChangeId.Origin != ReplicaId)
        {
            throw new ArgumentException($"Outcome for change {outcome.ChangeId}, which this replica ({ReplicaId}) did not make.", nameof(outcome));
        }

        long? entryId = null;
        Change? change = null;
        using (var reader = _database.Command(
            """
            SELECT entry_id, change FROM outbox WHERE entry_id = $p0 AND change_sequence = $p0
            UNION ALL
            SELECT entry_id, change FROM outbox WHERE change_sequence = $p0 AND change_sequence <> entry_id
            """, outcome.ChangeId.Sequence).ExecuteReader())
        {
            if (reader.Read())
            {
                entryId = reader.GetInt64(0);
                change = ChangeCodec.Decode((byte[])reader[1]);
            }
        }

        if (outcome.Outcome == OutcomeKind.Accepted)
        {
            // The relay committed these; merge them (at least the change itself) into the confirmed state. The entry is
            // removed by the merge when its own change is among them (the change proves it accepted), else here.
            if (committed.Count == 0 && change is not null)
            {
                committed.Add(change);
            }

            if (entryId is { } accepted && !committed.Exists(c => c.Id == change!.Id && c.Collection == change.Collection && c.RecordId == change.RecordId))
            {
                _database.Execute("DELETE FROM outbox WHERE entry_id = $p0", accepted);
                merge.Recompute(change!.Collection, change.RecordId);
            }

            merge.Changes.AddRange(committed);
            return;
        }

        _logger.LogInformation("Change {ChangeId} refused: {Outcome} {Reason}", outcome.ChangeId, outcome.Outcome, outcome.Reason);
        if (entryId is not { } refused || change is null)
        {
            return;
        }

        var status = outcome.Outcome switch
        {
            OutcomeKind.Conflict => EntryStatus.Conflict,
            OutcomeKind.Invalid => EntryStatus.Invalid,
            OutcomeKind.Deleted => EntryStatus.Deleted,
            OutcomeKind.Forbidden => EntryStatus.Forbidden,
            _ => EntryStatus.ClockSkew,
        };
        _database.Execute(
            "UPDATE outbox SET status = $p1, reason = $p2, message = $p3, authority_state = $p4 WHERE entry_id = $p0",
            refused, (long)status, outcome.Reason, outcome.Message, authority is null ? null : outcome.AuthorityState!.Value.ToArray());
        merge.Recompute(change.Collection, change.RecordId);
        if (authority is not null && authority.Collection == change.Collection && authority.Id == change.RecordId)
        {
            merge.States.Add(authority);
            ObserveStamps(authority);
        }
    }

    /// <inheritdoc />
    public Task ApplyPulledBatchAsync(PulledBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var changes = new List<Change>(batch.Changes.Count);
        foreach (var bytes in batch.Changes)
        {
            changes.Add(ChangeCodec.Decode(bytes));
        }

        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                MergeIntoConfirmed(new RecordMerge(changes), notes);
                _database.Execute(
                    """
                    INSERT INTO subscriptions (collection, cursor, downloaded_ms) VALUES ($p0, $p1, $p2)
                    ON CONFLICT (collection) DO UPDATE SET cursor = max(cursor, excluded.cursor),
                        downloaded_ms = coalesce(excluded.downloaded_ms, downloaded_ms)
                    """,
                    batch.Subscription.Text, batch.Cursor, batch.ReachedHead ? _time.GetUtcNow().ToUnixTimeMilliseconds() : null);
                SaveClock();
                FaultPoints.Hit(ReplicaFaultPoint.PullBeforeCommit);
            });
            ReplicaMetrics.PulledChanges.Add(changes.Count);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ApplyRevocationAsync(Revocation revocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(revocation);
        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                var ids = revocation.RecordIds ?? LoadRecordIds(revocation.Collection);
                foreach (var id in ids)
                {
                    var row = LoadRecord(revocation.Collection, id);
                    if (row is null)
                    {
                        continue;
                    }

                    var marked = _database.Execute(
                        $"""
                        UPDATE outbox SET status = 5, reason = 'revoked', authority_state = NULL,
                            message = 'You no longer have access to this record, so this change cannot be sent. Export it if you need it, then discard it.'
                        WHERE {EntryOfRecord}
                        """,
                        revocation.Collection.Text, id.Text);
                    if (marked > 0)
                    {
                        notes.OutboxChanged = true;
                    }

                    SaveRecomputed(revocation.Collection, id, confirmed: null, row, null, notes);
                }

                if (revocation.RecordIds is null)
                {
                    _database.Execute("DELETE FROM subscriptions WHERE collection = $p0", revocation.Collection.Text);
                }

                NoteOutboxChanged(notes);
            });
            _logger.LogInformation("Read access revoked on {Collection} ({Count} records named)", revocation.Collection, revocation.RecordIds?.Count);
            return true;
        }, cancellationToken);
    }

    private List<RecordId> LoadRecordIds(CollectionName collection)
    {
        var ids = new List<RecordId>();
        using var reader = _database.Command("SELECT record_id FROM records WHERE collection = $p0", collection.Text).ExecuteReader();
        while (reader.Read())
        {
            ids.Add(new RecordId(reader.GetString(0)));
        }

        return ids;
    }

    private void ObserveStamps(RecordState state)
    {
        foreach (var entry in state.Fields.Values)
        {
            _clock.Observe(entry.Stamp);
        }
    }

    private void SaveClock() =>
        _database.Execute("UPDATE replica_identity SET clock_time = max(clock_time, $p0) WHERE singleton = 0", (long)_clock.LastTime);

}
