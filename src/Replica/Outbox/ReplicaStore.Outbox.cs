using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica;

/// <summary>The outbox as the user sees it: list, resolve (edit or retry), discard.</summary>
public sealed partial class ReplicaStore
{
    /// <summary>The outbox entries, oldest first; only those of one record when <paramref name="collection"/> and <paramref name="id"/> are given.</summary>
    public Task<IReadOnlyList<OutboxEntry>> GetOutboxAsync(string? collection = null, string? id = null, CancellationToken cancellationToken = default)
    {
        var collectionName = collection is null ? (CollectionName?)null : new CollectionName(collection);
        var recordId = id is null ? (RecordId?)null : new RecordId(id);
        return Serialized<IReadOnlyList<OutboxEntry>>(_ =>
        {
            var command = collectionName is { } c && recordId is { } r
                ? _database.Command(OutboxSelect + $" WHERE {EntryOfRecord} ORDER BY entry_id", c.Text, r.Text)
                : _database.Command(OutboxSelect + " ORDER BY entry_id");
            var entries = new List<OutboxEntry>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new OutboxEntry(
                    reader.GetInt64(0),
                    ChangeCodec.Decode((byte[])reader[1]),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    (EntryStatus)reader.GetInt64(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : RecordStateCodec.Decode((byte[])reader[6]),
                    (int)reader.GetInt64(7)));
            }

            return entries;
        }, cancellationToken);
    }

    private const string OutboxSelect = "SELECT entry_id, change, created_ms, status, reason, message, authority_state, attempts FROM outbox";

    /// <summary>
    /// Retries an entry in conflict, invalid or clock-skew on the record's current state: the same fields (or
    /// arguments), a new change id and stamp, and the current visible version as its base. The entry keeps its place.
    /// </summary>
    /// <exception cref="OutboxEntryNotFoundException">No such entry.</exception>
    /// <exception cref="EntryNotResolvableException">The entry is not a resolvable error (deleted and forbidden can only be discarded).</exception>
    /// <exception cref="InvalidChangeException">The change is still certainly invalid; edit it with <see cref="ResolveAsync"/>.</exception>
    /// <exception cref="ActionNotAvailableException">The action's guard does not hold on the current state; discard it.</exception>
    public Task RetryAsync(long entryId, CancellationToken cancellationToken = default) => ResolveCore(entryId, null, cancellationToken);

    /// <summary>
    /// Resolves an entry in conflict, invalid or clock-skew by replacing its fields (an upsert) or arguments (an action)
    /// with <paramref name="fields"/>, then retrying it on the current state (see <see cref="RetryAsync"/>).
    /// </summary>
    public Task ResolveAsync(long entryId, IReadOnlyDictionary<string, Value> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return ResolveCore(entryId, ToFieldValues(fields), cancellationToken);
    }

    private Task ResolveCore(long entryId, List<FieldValue>? fields, CancellationToken cancellationToken) => Serialized(notes =>
    {
        var (configuration, principal) = RequireConfiguration();
        var (old, status) = LoadEntryChange(entryId);
        if (status is not (EntryStatus.Conflict or EntryStatus.Invalid or EntryStatus.ClockSkew))
        {
            throw new EntryNotResolvableException(entryId, status);
        }

        if (fields is not null && old.Kind == ChangeKind.Delete)
        {
            throw new InvalidChangeException("no_fields", "A delete has no fields to edit. Retry it, or discard it.");
        }

        var schema = RequireCollection(configuration, old.Collection);
        var row = LoadRecord(old.Collection, old.RecordId)!;
        var entries = LoadEntries(old.Collection, old.RecordId);
        var visible = ComputeVisible(old.Collection, old.RecordId, row.Confirmed, entries);
        if (visible.IsDeleted)
        {
            throw new RecordDeletedException(old.Collection, old.RecordId);
        }

        var sequence = _lastSequence + 1;
        var changeId = new ChangeId(ReplicaId, sequence);
        var stamp = _clock.Next();
        var writes = fields ?? [.. old.Fields];
        var change = old.Kind switch
        {
            ChangeKind.Upsert => Change.Upsert(changeId, stamp, old.Collection, old.RecordId, RestampBase(old, status, visible.Version), writes),
            ChangeKind.Action => Change.Action(changeId, stamp, old.Collection, old.RecordId, visible.Version, old.ActionName!.Value, writes),
            _ => Change.Delete(changeId, stamp, old.Collection, old.RecordId, visible.Version),
        };

        // A create that was refused is judged as a create again when the record still is not at the relay.
        var overlay = Validate(configuration, principal, schema, visible, change);
        var now = _time.GetUtcNow();
        InTransaction(() =>
        {
            _database.Execute(
                """
                UPDATE outbox SET change_sequence = $p1, change = $p2, overlay = $p3, created_ms = $p4, status = 0,
                    reason = NULL, message = NULL, authority_state = NULL, stamp_time = $p5 WHERE entry_id = $p0
                """,
                entryId, sequence, ChangeCodec.Encode(change), overlay is null ? null : ChangeCodec.Encode(overlay), now.ToUnixTimeMilliseconds(),
                (long)change.Stamp.Time);
            StopSharingRestamped(old, status);
            SaveRecomputed(old.Collection, old.RecordId, row.Confirmed, row, null, notes);
            NoteOutboxChanged(notes);
        });
        _lastSequence = sequence;
        return true;
    }, cancellationToken);

    /// <summary>
    /// Drops an entry (any status) and rolls its record back: the record is recomputed from the confirmed state and
    /// the remaining entries. Discarding a local create removes the record. An entry already pushed may still be
    /// accepted by the relay; its outcome then arrives as a change from elsewhere. A plain upsert waiting for the relay
    /// that peers may have merged is compensated by a new own upsert restoring the record's other values, so the peers
    /// converge back (docs/design/peers.md).
    /// </summary>
    /// <exception cref="OutboxEntryNotFoundException">No such entry.</exception>
    public Task DiscardAsync(long entryId, CancellationToken cancellationToken = default) => Serialized(notes =>
    {
        var (change, status) = LoadEntryChange(entryId);
        var row = LoadRecord(change.Collection, change.RecordId);
        long? compensation = null;
        InTransaction(() =>
        {
            _database.Execute("DELETE FROM outbox WHERE entry_id = $p0", entryId);
            compensation = CompensateSharedDiscard(change, status, row?.Confirmed, _time.GetUtcNow());
            SaveRecomputed(change.Collection, change.RecordId, row?.Confirmed, row, null, notes);
            NoteOutboxChanged(notes);
        });
        _lastSequence = compensation ?? _lastSequence;
        return true;
    }, cancellationToken);

    private (Change Change, EntryStatus Status) LoadEntryChange(long entryId)
    {
        using var reader = _database.Command("SELECT change, status FROM outbox WHERE entry_id = $p0", entryId).ExecuteReader();
        return reader.Read()
            ? (ChangeCodec.Decode((byte[])reader[0]), (EntryStatus)reader.GetInt64(1))
            : throw new OutboxEntryNotFoundException(entryId);
    }
}
