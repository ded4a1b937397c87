using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Diagnostics;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Storage;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Replica;

/// <summary>The sync-facing side for the relay client: pages of changes and record states, whole snapshots, outbox counts.</summary>
public sealed partial class ReplicaStore
{
    /// <inheritdoc />
    public Task ApplyPulledPageAsync(PulledPage page, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(page);
        var changes = new List<Change>(page.Changes.Count);
        foreach (var bytes in page.Changes)
        {
            changes.Add(ChangeCodec.Decode(bytes));
        }

        var states = DecodeStates(page.RecordStates);
        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                MergeIntoConfirmed(new RecordMerge(changes, states), notes);
                var downloaded = page.ReachedHead ? _time.GetUtcNow().ToUnixTimeMilliseconds() : (long?)null;
                foreach (var subscription in page.Subscriptions)
                {
                    _database.Execute(
                        """
                        INSERT INTO subscriptions (collection, cursor, downloaded_ms) VALUES ($p0, $p1, $p2)
                        ON CONFLICT (collection) DO UPDATE SET cursor = max(cursor, excluded.cursor),
                            downloaded_ms = coalesce(excluded.downloaded_ms, downloaded_ms)
                        """,
                        subscription.Text, page.Cursor, downloaded);
                }

                SaveClock();
            });
            ReplicaMetrics.PulledChanges.Add(changes.Count + states.Count);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ApplySnapshotAsync(SnapshotBatch snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var states = DecodeStates(snapshot.RecordStates);
        var covered = snapshot.Subscriptions.ToHashSet();
        var held = states.Select(s => (s.Collection, s.Id)).ToHashSet();
        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                MergeIntoConfirmed(new RecordMerge(states: states), notes);
                var purged = 0;
                foreach (var collection in covered)
                {
                    foreach (var id in LoadConfirmedRecordIds(collection))
                    {
                        if (!held.Contains((collection, id)) && !HoldsPeerOnlyChange(collection, id))
                        {
                            PurgeRecord(collection, id, notes);
                            purged++;
                        }
                    }

                    _database.Execute(
                        """
                        INSERT INTO subscriptions (collection, cursor, downloaded_ms) VALUES ($p0, $p1, $p2)
                        ON CONFLICT (collection) DO UPDATE SET cursor = excluded.cursor, downloaded_ms = excluded.downloaded_ms
                        """,
                        collection.Text, snapshot.Cursor, _time.GetUtcNow().ToUnixTimeMilliseconds());
                }

                if (purged > 0)
                {
                    _logger.LogInformation("Snapshot at {Cursor}: {Purged} records no longer readable were purged", snapshot.Cursor, purged);
                }

                NoteOutboxChanged(notes);
                SaveClock();
            });
            ReplicaMetrics.PulledChanges.Add(states.Count);
            return true;
        }, cancellationToken);
    }

    /// <summary>How many outbox entries are pending and how many are errors; cheap (no decoding).</summary>
    public Task<OutboxCounts> GetOutboxCountsAsync(CancellationToken cancellationToken = default) => Serialized(_ =>
    {
        using var reader = _database.Command(
            "SELECT coalesce(sum(status IN (0, 1)), 0), coalesce(sum(status >= 2), 0), coalesce(sum(status = 6), 0) FROM outbox").ExecuteReader();
        reader.Read();
        return new OutboxCounts((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }, cancellationToken);

    /// <summary>The ids of the outbox entries refused for clock skew, oldest first.</summary>
    internal Task<IReadOnlyList<long>> GetClockSkewEntryIdsAsync(CancellationToken cancellationToken = default) => Serialized<IReadOnlyList<long>>(_ =>
    {
        var ids = new List<long>();
        using var reader = _database.Command("SELECT entry_id FROM outbox WHERE status = $p0 ORDER BY entry_id", (long)EntryStatus.ClockSkew).ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }, cancellationToken);

    private static List<RecordState> DecodeStates(IReadOnlyList<ReadOnlyMemory<byte>> states)
    {
        var decoded = new List<RecordState>(states.Count);
        foreach (var bytes in states)
        {
            decoded.Add(RecordStateCodec.Decode(bytes));
        }

        return decoded;
    }

    private List<RecordId> LoadConfirmedRecordIds(CollectionName collection)
    {
        var ids = new List<RecordId>();
        using var reader = _database.Command("SELECT record_id FROM records WHERE collection = $p0 AND confirmed IS NOT NULL", collection.Text).ExecuteReader();
        while (reader.Read())
        {
            ids.Add(new RecordId(reader.GetString(0)));
        }

        return ids;
    }

    /// <summary>Drops a record's confirmed state; its entries become forbidden (reason <c>revoked</c>) and stay until discarded.</summary>
    private void PurgeRecord(CollectionName collection, RecordId id, Notifications notes)
    {
        var row = LoadRecord(collection, id);
        if (row is null)
        {
            return;
        }

        if (_database.Execute(
            """
            UPDATE outbox SET status = 5, reason = 'revoked', authority_state = NULL,
                message = 'You no longer have access to this record, so this change cannot be sent. Export it if you need it, then discard it.'
            WHERE collection = $p0 AND record_id = $p1
            """,
            collection.Text, id.Text) > 0)
        {
            notes.OutboxChanged = true;
        }

        SaveRecomputed(collection, id, confirmed: null, row, null, notes);
    }
}
