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

        var confirmedBytes = reader.IsDBNull(0) ? null : (byte[])reader[0];
        var visibleBytes = reader.IsDBNull(1) ? null : (byte[])reader[1];
        return new StoredRecord(collection, id, confirmedBytes, visibleBytes, (RecordStatus)reader.GetInt64(2));
    }

    private List<StoredEntry> LoadEntries(CollectionName collection, RecordId id)
    {
        var entries = new List<StoredEntry>();
        using var reader = _database.Command(
            "SELECT entry_id, change, overlay, status, message FROM outbox WHERE collection = $p0 AND record_id = $p1 ORDER BY entry_id",
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

    /// <summary>Writes the visible state and status of a record whose confirmed state did not change (a local write).</summary>
    private void SaveVisible(CollectionName collection, RecordId id, RecordState visible, RecordStatus status)
    {
        _database.Execute(
            """
            INSERT INTO records (collection, record_id, confirmed, visible, visible_exists, status) VALUES ($p0, $p1, NULL, $p2, $p3, $p4)
            ON CONFLICT (collection, record_id) DO UPDATE SET
                visible = excluded.visible, visible_exists = excluded.visible_exists, status = excluded.status
            """,
            collection.Text, id.Text, RecordStateCodec.Encode(visible), visible.Exists ? 1L : 0L, (long)status);
    }

    private long InsertEntry(Change change, Change? overlay, DateTimeOffset now)
    {
        return (long)_database.Scalar(
            """
            INSERT INTO outbox (collection, record_id, change_sequence, kind, created_ms, change, overlay, status)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, 0) RETURNING entry_id
            """,
            change.Collection.Text, change.RecordId.Text, change.Id.Sequence, (long)change.Kind, now.ToUnixTimeMilliseconds(),
            ChangeCodec.Encode(change), overlay is null ? null : ChangeCodec.Encode(overlay))!;
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
