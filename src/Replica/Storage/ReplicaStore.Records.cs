using System.Buffers;
using System.Text;
using System.Text.Json;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Storage;

namespace CrdtSync.Replica;

/// <summary>Reading and writing record rows, and recomputing a record from its confirmed state and its pending entries.</summary>
public sealed partial class ReplicaStore
{
    private StoredRecord? LoadRecord(CollectionName collection, RecordId id)
    {
        using var reader = _database.Command(
            "SELECT confirmed, visible, status FROM records WHERE collection = $p0 AND record_id = $p1", collection.Text, id.Text).ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return ReadRecordRow(reader, 0, collection, id);
    }

    /// <summary>A record row from the columns confirmed, visible and status, starting at <paramref name="first"/>.</summary>
    private static StoredRecord ReadRecordRow(Microsoft.Data.Sqlite.SqliteDataReader reader, int first, CollectionName collection, RecordId id) =>
        new(
            collection,
            id,
            reader.IsDBNull(first) ? null : (byte[])reader[first],
            reader.IsDBNull(first + 1) ? null : (byte[])reader[first + 1],
            (RecordStatus)reader.GetInt64(first + 2));

    /// <summary>
    /// The condition "an entry of record ($p0, $p1)": the record row lists its entries' ids (<c>entry_ids</c>), so they are found by
    /// primary key without an index of the outbox by record (one page less per local write).
    /// </summary>
    internal const string EntryOfRecord = "entry_id IN (SELECT value FROM json_each((SELECT entry_ids FROM records WHERE collection = $p0 AND record_id = $p1)))";

    /// <summary>
    /// The rows of many records, one statement per collection (the ids passed as a JSON array) instead of one lookup each;
    /// records without a row are absent.
    /// </summary>
    private Dictionary<(CollectionName, RecordId), StoredRecord> LoadRecords(List<(CollectionName Collection, RecordId Id)> keys)
    {
        var rows = new Dictionary<(CollectionName, RecordId), StoredRecord>(keys.Count);
        if (keys.Count == 1)
        {
            if (LoadRecord(keys[0].Collection, keys[0].Id) is { } row)
            {
                rows.Add(keys[0], row);
            }

            return rows;
        }

        foreach (var group in keys.GroupBy(k => k.Collection))
        {
            var collection = group.Key;
            var byText = new Dictionary<string, RecordId>(StringComparer.Ordinal);
            var ids = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(ids))
            {
                json.WriteStartArray();
                foreach (var (_, id) in group)
                {
                    json.WriteStringValue(id.Text);
                    byText[id.Text] = id;
                }

                json.WriteEndArray();
            }

            using var reader = _database.Command(
                "SELECT record_id, confirmed, visible, status FROM records WHERE collection = $p0 AND record_id IN (SELECT value FROM json_each($p1))",
                collection.Text, Encoding.UTF8.GetString(ids.WrittenSpan)).ExecuteReader();
            while (reader.Read())
            {
                var id = byText[reader.GetString(0)];
                rows[(collection, id)] = ReadRecordRow(reader, 1, collection, id);
            }
        }

        return rows;
    }

    private List<StoredEntry> LoadEntries(CollectionName collection, RecordId id)
    {
        var entries = new List<StoredEntry>();
        using var reader = _database.Command(
            $"SELECT entry_id, change, overlay, status, message FROM outbox WHERE {EntryOfRecord} ORDER BY entry_id",
            collection.Text, id.Text).ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new StoredEntry(
                reader.GetInt64(0),
                ChangeCodec.Decode((byte[])reader[1]),
                reader.IsDBNull(2) ? null : ChangeCodec.Decode((byte[])reader[2]),
                (EntryStatus)reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return entries;
    }

    /// <summary>The status a record has with these entries: the worst of them.</summary>
    private static RecordStatus StatusOf(IEnumerable<StoredEntry> entries)
    {
        var status = RecordStatus.Synced;
        foreach (var entry in entries)
        {
            var entryStatus = entry.Status switch
            {
                EntryStatus.Queued or EntryStatus.InFlight => RecordStatus.Pending,
                EntryStatus.Deleted or EntryStatus.Forbidden => RecordStatus.Error,
                _ => RecordStatus.Conflict,
            };
            if (entryStatus > status)
            {
                status = entryStatus;
            }
        }

        return status;
    }

    /// <summary>The visible state: the confirmed state with the queued and in-flight entries applied in order (an action with its optimistic effects).</summary>
    private static RecordState ComputeVisible(CollectionName collection, RecordId id, RecordState? confirmed, IEnumerable<StoredEntry> entries)
    {
        var visible = confirmed?.Clone() ?? new RecordState(collection, id);
        foreach (var entry in entries)
        {
            if (!entry.IsApplied)
            {
                continue;
            }

            if (entry.Overlay is { } overlay)
            {
                visible.Apply(overlay);
            }

            visible.Apply(entry.Change);
        }

        return visible;
    }

    /// <summary>
    /// Recomputes a record from <paramref name="confirmed"/> and its outbox entries and writes the row (or deletes it
    /// when nothing is left: no confirmed state and no entry). Notes what changed for the events.
    /// </summary>
    /// <remarks><c>entries</c> are the record's entries, or null to load them.</remarks>
    private void SaveRecomputed(CollectionName collection, RecordId id, RecordState? confirmed, StoredRecord? before, List<StoredEntry>? entries, Notifications notes)
    {
        entries ??= LoadEntries(collection, id);
        var statusBefore = before?.Status ?? RecordStatus.Synced;
        if (confirmed is null && entries.Count == 0)
        {
            if (before is not null)
            {
                _database.Execute("DELETE FROM records WHERE collection = $p0 AND record_id = $p1", collection.Text, id.Text);
                notes.Record(collection, id, before.Visible.Exists, exists: false, statusBefore, RecordStatus.Synced);
            }

            return;
        }

        var confirmedBytes = confirmed is null ? null : RecordStateCodec.Encode(confirmed);
        var anyApplied = entries.Exists(e => e.IsApplied);
        var visible = anyApplied ? ComputeVisible(collection, id, confirmed, entries) : confirmed ?? new RecordState(collection, id);
        var visibleBytes = anyApplied || confirmedBytes is null ? RecordStateCodec.Encode(visible) : null;
        var status = StatusOf(entries);
        _database.Execute(
            """
            INSERT INTO records (collection, record_id, confirmed, visible, visible_exists, status) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)
            ON CONFLICT (collection, record_id) DO UPDATE SET
                confirmed = excluded.confirmed, visible = excluded.visible, visible_exists = excluded.visible_exists, status = excluded.status
            """,
            collection.Text, id.Text, confirmedBytes, visibleBytes, visible.Exists ? 1L : 0L, (long)status);
        var changed = before is null
            ? visible.Exists || visible.IsDeleted
            : !before.VisibleBytes.AsSpan().SequenceEqual(visibleBytes ?? confirmedBytes);
        notes.Record(collection, id, changed, visible.Exists, statusBefore, status);
    }

    /// <summary>
    /// Merges changes and states from elsewhere into the confirmed states of their records, each record loaded and written
    /// once; removes the outbox entries that this replica's own changes coming back prove accepted; and recomputes.
    /// </summary>
    /// <remarks>
    /// A record is recomputed from its entries only when it must be. Nothing is written when the merge changed nothing.
    /// When the only changes are those of the first applied entries of the record, removed here in entry order (the
    /// common case: outcomes of accepted pushes, or this replica's changes coming back by pull), the visible state is
    /// the same computation as before (confirmed + those entries + the rest, in the same order): it is kept as stored.
    /// </remarks>
    private void MergeIntoConfirmed(RecordMerge merge, Notifications notes)
    {
        var changesByRecord = new Dictionary<(CollectionName, RecordId), List<Change>>();
        var statesByRecord = new Dictionary<(CollectionName, RecordId), List<RecordState>>();
        var order = new List<(CollectionName, RecordId)>();
        var seen = new HashSet<(CollectionName, RecordId)>();
        foreach (var change in merge.Changes)
        {
            var key = (change.Collection, change.RecordId);
            if (!changesByRecord.TryGetValue(key, out var list))
            {
                changesByRecord.Add(key, list = []);
                if (seen.Add(key))
                {
                    order.Add(key);
                }
            }

            list.Add(change);
            _clock.Observe(change.Stamp);
        }

        foreach (var state in merge.States)
        {
            var key = (state.Collection, state.Id);
            if (!statesByRecord.TryGetValue(key, out var list))
            {
                statesByRecord.Add(key, list = []);
                if (seen.Add(key))
                {
                    order.Add(key);
                }
            }

            list.Add(state);
            ObserveStamps(state);
        }

        foreach (var key in merge.RecomputeKeys)
        {
            if (seen.Add(key))
            {
                order.Add(key);
            }
        }

        var rows = LoadRecords(order);
        foreach (var key in order)
        {
            var (collection, id) = key;
            var row = rows.GetValueOrDefault(key);
            var hasEntries = row is not null && row.Status != RecordStatus.Synced;
            var recompute = merge.MustRecompute(key);
            var confirmed = row?.Confirmed;
            var changed = false;
            var removedOwn = false;
            var prefixOnly = true;
            long lastRemoved = 0;
            if (changesByRecord.TryGetValue(key, out var changes))
            {
                confirmed ??= new RecordState(collection, id);
                foreach (var change in changes)
                {
                    var known = confirmed.Apply(change) == ApplyOutcome.AlreadyKnown;
                    changed |= !known;
                    if (change.Id.Origin == ReplicaId && hasEntries && FindEntry(change) is { } entry)
                    {
                        _database.Execute("DELETE FROM outbox WHERE entry_id = $p0", entry.EntryId);
                        removedOwn = true;
                        prefixOnly &= entry.Applied && !entry.HasOverlay && change.Kind != ChangeKind.Action && entry.EntryId > lastRemoved;
                        lastRemoved = entry.EntryId;
                    }
                    else
                    {
                        prefixOnly &= known;
                    }
                }
            }

            if (statesByRecord.TryGetValue(key, out var states))
            {
                foreach (var state in states)
                {
                    if (confirmed is null && state.Version.Count == 0 && !state.IsDeleted)
                    {
                        continue; // The authority has no such record (a refused create): there is nothing to confirm.
                    }

                    confirmed ??= new RecordState(collection, id);
                    var merged = confirmed.MergeFrom(state);
                    changed |= merged;
                    prefixOnly &= !merged;
                }
            }

            if (removedOwn)
            {
                notes.OutboxChanged = true;
            }

            if (!recompute && !changed && !removedOwn && row is not null)
            {
                continue; // Nothing new: the row stays as it is.
            }

            if (!hasEntries)
            {
                SaveRecomputed(collection, id, confirmed, row, [], notes);
            }
            else if (!recompute && removedOwn && prefixOnly && !HasAppliedEntryBefore(collection, id, lastRemoved))
            {
                SaveConfirmedKeepingVisible(collection, id, confirmed!, row!, notes);
            }
            else
            {
                SaveRecomputed(collection, id, confirmed, row, null, notes);
            }
        }
    }

    /// <summary>The outbox entry holding exactly this change of this replica (same sequence, same record), if any.</summary>
    private (long EntryId, bool Applied, bool HasOverlay)? FindEntry(Change change)
    {
        using var reader = _database.Command(
            """
            SELECT entry_id, status, overlay IS NOT NULL, collection, record_id FROM outbox WHERE entry_id = $p0 AND change_sequence = $p0
            UNION ALL
            SELECT entry_id, status, overlay IS NOT NULL, collection, record_id FROM outbox WHERE change_sequence = $p0 AND change_sequence <> entry_id
            """,
            change.Id.Sequence).ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetString(3) == change.Collection.Text && reader.GetString(4) == change.RecordId.Text)
            {
                return (reader.GetInt64(0), (EntryStatus)reader.GetInt64(1) is EntryStatus.Queued or EntryStatus.InFlight, reader.GetInt64(2) != 0);
            }
        }

        return null;
    }

    private bool HasAppliedEntryBefore(CollectionName collection, RecordId id, long entryId) =>
        (long)_database.Scalar(
            $"SELECT EXISTS (SELECT 1 FROM outbox WHERE {EntryOfRecord} AND entry_id < $p2 AND status IN (0, 1))",
            collection.Text, id.Text, entryId)! != 0;

    /// <summary>
    /// Writes a new confirmed state when the visible state is known not to change (the first applied entries were
    /// merged into the confirmed state and removed): the status follows the entries left.
    /// </summary>
    private void SaveConfirmedKeepingVisible(CollectionName collection, RecordId id, RecordState confirmed, StoredRecord row, Notifications notes)
    {
        using var reader = _database.Command(
            $"""
            SELECT coalesce(max(status IN (0, 1)), 0), coalesce(max(status IN (4, 5)), 0), coalesce(max(status IN (2, 3, 6)), 0), count(*)
            FROM outbox WHERE {EntryOfRecord}
            """,
            collection.Text, id.Text).ExecuteReader();
        reader.Read();
        var anyApplied = reader.GetInt64(0) != 0;
        var status = reader.GetInt64(1) != 0 ? RecordStatus.Error
            : reader.GetInt64(2) != 0 ? RecordStatus.Conflict
            : reader.GetInt64(3) != 0 ? RecordStatus.Pending
            : RecordStatus.Synced;
        reader.Close();
        if (anyApplied)
        {
            _database.Execute(
                "UPDATE records SET confirmed = $p2, status = $p3 WHERE collection = $p0 AND record_id = $p1",
                collection.Text, id.Text, RecordStateCodec.Encode(confirmed), (long)status);
        }
        else
        {
            // No applied entry left: visible = confirmed (the same state as the stored visible one).
            _database.Execute(
                "UPDATE records SET confirmed = $p2, visible = NULL, visible_exists = $p3, status = $p4 WHERE collection = $p0 AND record_id = $p1",
                collection.Text, id.Text, RecordStateCodec.Encode(confirmed), confirmed.Exists ? 1L : 0L, (long)status);
        }

        notes.Record(collection, id, visibleChanged: false, confirmed.Exists, row.Status, status);
    }

    /// <summary>
    /// Writes the visible state and status of a record whose confirmed state did not change (a local write), adding the id of
    /// the entry about to be inserted to the row's list of entries.
    /// </summary>
    private void SaveVisible(CollectionName collection, RecordId id, RecordState visible, RecordStatus status, long addedEntryId)
    {
        _database.Execute(
            """
            INSERT INTO records (collection, record_id, confirmed, visible, visible_exists, status, entry_ids) VALUES ($p0, $p1, NULL, $p2, $p3, $p4, json_array($p5))
            ON CONFLICT (collection, record_id) DO UPDATE SET
                visible = excluded.visible, visible_exists = excluded.visible_exists, status = excluded.status,
                entry_ids = json_insert(coalesce(entry_ids, '[]'), '$[#]', $p5)
            """,
            collection.Text, id.Text, RecordStateCodec.Encode(visible), visible.Exists ? 1L : 0L, (long)status, addedEntryId);
    }

    /// <summary>Adds an entry id to the list in an existing record row (what <see cref="SaveVisible"/> does in the row it writes).</summary>
    private void ListEntryInRecord(CollectionName collection, RecordId id, long entryId) =>
        _database.Execute(
            "UPDATE records SET entry_ids = json_insert(coalesce(entry_ids, '[]'), '$[#]', $p2) WHERE collection = $p0 AND record_id = $p1",
            collection.Text, id.Text, entryId);

    /// <summary>Adds the entry of a new local change; its id is the change's sequence, and it keeps the stamp's time (see ReplicaStore.Identity.cs).</summary>
    private void InsertEntry(Change change, Change? overlay, DateTimeOffset now)
    {
        _database.Execute(
            """
            INSERT INTO outbox (entry_id, collection, record_id, change_sequence, kind, created_ms, change, overlay, status, stamp_time)
            VALUES ($p2, $p0, $p1, $p2, $p3, $p4, $p5, $p6, 0, $p7)
            """,
            change.Collection.Text, change.RecordId.Text, change.Id.Sequence, (long)change.Kind, now.ToUnixTimeMilliseconds(),
            ChangeCodec.Encode(change), overlay is null ? null : ChangeCodec.Encode(overlay), (long)change.Stamp.Time);
    }

    /// <summary>The first entry in error on a record, if any (what locks it).</summary>
    private (long EntryId, EntryStatus Status, string? Message)? FirstErrorEntry(CollectionName collection, RecordId id)
    {
        using var reader = _database.Command(
            "SELECT entry_id, status, message FROM outbox WHERE collection = $p0 AND record_id = $p1 AND status >= 2 ORDER BY entry_id LIMIT 1",
            collection.Text, id.Text).ExecuteReader();
        return reader.Read()
            ? (reader.GetInt64(0), (EntryStatus)reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }
}
