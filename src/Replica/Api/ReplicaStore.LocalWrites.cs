using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Diagnostics;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica;

/// <summary>The local write API: create, edit, act, delete. Each is one transaction writing the record and its outbox entry.</summary>
public sealed partial class ReplicaStore
{
    /// <summary>
    /// Creates a record in <paramref name="collection"/> with <paramref name="fields"/>. Guarded fields the caller
    /// leaves out start at their configured initial value.
    /// </summary>
    /// <param name="collection">The collection (must be in the configuration).</param>
    /// <param name="fields">Field name → value.</param>
    /// <param name="id">The record id; a new UUIDv7 when null.</param>
    /// <param name="cancellationToken">Cancels before the write starts.</param>
    /// <returns>The record's id.</returns>
    /// <exception cref="InvalidChangeException">A field is unknown, of the wrong type or range, required and missing, or guarded; or no field holds a value.</exception>
    /// <exception cref="RecordAlreadyExistsException">The id is taken.</exception>
    /// <exception cref="PermissionDeniedException">The user's roles do not allow it.</exception>
    public Task<RecordId> CreateAsync(string collection, IReadOnlyDictionary<string, Value> fields, string? id = null, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var writes = ToFieldValues(fields);
        var recordId = id is null ? (RecordId?)null : new RecordId(id);
        return Serialized(notes =>
        {
            var (configuration, _) = RequireConfiguration();
            var schema = RequireCollection(configuration, collectionName);
            var newId = recordId ?? RecordId.NewUuidV7(_time.GetUtcNow(), _random);
            foreach (var field in schema.Fields.Values)
            {
                if (field.Initial is { } initial && !writes.Exists(w => w.Name == field.Name))
                {
                    writes.Add(new FieldValue(field.Name, initial));
                }
            }

            if (writes.Count > 0 && writes.TrueForAll(w => w.Value.IsNull))
            {
                // A record none of whose fields holds a value does not exist (docs/design/merge.md, "Existence").
                throw new InvalidChangeException("empty", "A new record needs at least one value. Nothing was saved.");
            }

            LocalWrite(collectionName, newId, creating: true, (changeId, stamp, baseVersion) =>
                Change.Upsert(changeId, stamp, collectionName, newId, baseVersion, writes), notes);
            return newId;
        }, cancellationToken);
    }

    /// <summary>Sets fields of an existing record (a plain edit; merges automatically unless a field's policy says otherwise).</summary>
    /// <exception cref="RecordNotFoundException">No such record here.</exception>
    /// <exception cref="RecordLockedException">The record has an outbox entry in conflict or error.</exception>
    /// <exception cref="RecordDeletedException">The record is deleted.</exception>
    /// <exception cref="InvalidChangeException">A field is unknown, of the wrong type or range, or guarded.</exception>
    /// <exception cref="PermissionDeniedException">The user's roles do not allow it.</exception>
    public Task UpdateAsync(string collection, string id, IReadOnlyDictionary<string, Value> fields, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        var writes = ToFieldValues(fields);
        if (writes.Count == 0)
        {
            throw new InvalidChangeException("no_fields", "An edit needs at least one field. Pass the fields to set.");
        }

        return Serialized(notes => LocalWrite(collectionName, recordId, creating: false, (changeId, stamp, baseVersion) =>
            Change.Upsert(changeId, stamp, collectionName, recordId, baseVersion, writes), notes), cancellationToken);
    }

    /// <summary>
    /// Performs a named action (close, assign, ...). Its effects show at once (optimistically); the relay decides it,
    /// and commits the effects with its own stamp.
    /// </summary>
    /// <exception cref="ActionNotAvailableException">No such action, its guard does not hold here, bad arguments, or online-only while offline.</exception>
    /// <exception cref="RecordNotFoundException">No such record here.</exception>
    /// <exception cref="RecordLockedException">The record has an outbox entry in conflict or error.</exception>
    /// <exception cref="RecordDeletedException">The record is deleted.</exception>
    /// <exception cref="PermissionDeniedException">The user's roles do not allow it.</exception>
    public Task PerformActionAsync(string collection, string id, string action, IReadOnlyDictionary<string, Value>? arguments = null, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        var actionName = new ActionName(action);
        var writes = arguments is null ? [] : ToFieldValues(arguments);
        return Serialized(notes => LocalWrite(collectionName, recordId, creating: false, (changeId, stamp, baseVersion) =>
            Change.Action(changeId, stamp, collectionName, recordId, baseVersion, actionName, writes), notes), cancellationToken);
    }

    /// <summary>Deletes a record. The relay checks it was not changed concurrently; until then the record shows as deleted.</summary>
    /// <exception cref="RecordNotFoundException">No such record here.</exception>
    /// <exception cref="RecordLockedException">The record has an outbox entry in conflict or error.</exception>
    /// <exception cref="RecordDeletedException">The record is already deleted.</exception>
    /// <exception cref="PermissionDeniedException">The user's roles do not allow it.</exception>
    public Task DeleteAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        return Serialized(notes => LocalWrite(collectionName, recordId, creating: false, (changeId, stamp, baseVersion) =>
            Change.Delete(changeId, stamp, collectionName, recordId, baseVersion), notes), cancellationToken);
    }

    private static List<FieldValue> ToFieldValues(IReadOnlyDictionary<string, Value> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return [.. fields.Select(f => new FieldValue(new FieldName(f.Key), f.Value))];
    }

    /// <summary>The one path of every local write: check, make the change, validate it, store record and entry in one transaction.</summary>
    private bool LocalWrite(CollectionName collection, RecordId id, bool creating, Func<ChangeId, Stamp, VersionVector, Change> make, Notifications notes)
    {
        var (configuration, principal) = RequireConfiguration();
        var schema = RequireCollection(configuration, collection);
        var row = LoadRecord(collection, id);
        if (creating && row is not null && (row.Visible.Exists || row.Visible.IsDeleted || row.Status != RecordStatus.Synced))
        {
            throw new RecordAlreadyExistsException(collection, id);
        }

        if (!creating && (row is null || !(row.Visible.Exists || row.Visible.IsDeleted)))
        {
            throw new RecordNotFoundException(collection, id);
        }

        if (row is { Status: RecordStatus.Conflict or RecordStatus.Error } && FirstErrorEntry(collection, id) is { } locking)
        {
            throw new RecordLockedException(collection, id, locking.EntryId, locking.Status, locking.Message);
        }

        var visible = row?.Visible ?? new RecordState(collection, id);
        if (visible.IsDeleted)
        {
            throw new RecordDeletedException(collection, id);
        }

        var sequence = _lastSequence + 1;
        var stamp = _clock.Next();
        var change = make(new ChangeId(ReplicaId, sequence), stamp, visible.Version);
        var overlay = Validate(configuration, principal, schema, visible, change);
        var next = visible.Clone();
        if (overlay is not null)
        {
            next.Apply(overlay);
        }

        next.Apply(change);
        var now = _time.GetUtcNow();
        var changesBefore = ChangesIfCounting();
        InTransaction(() =>
        {
            SaveVisible(collection, id, next, RecordStatus.Pending);
            InsertEntry(change, overlay, now);
            SaveIdentity(sequence);
        });
        _lastSequence = sequence;
        ReplicaMetrics.LocalWrites.Add(1);
        notes.Record(collection, id, visibleChanged: true, next.Exists, row?.Status ?? RecordStatus.Synced, RecordStatus.Pending);
        NoteOutboxEntryAdded(notes, changesBefore);
        return true;
    }

    /// <summary>
    /// Checks a local change with the authority's own rules against the visible state, refusing what is certainly
    /// wrong with a typed error; returns the optimistic effects of an action (an upsert with the action's id and stamp).
    /// </summary>
    private Change? Validate(SyncConfiguration configuration, Principal principal, CollectionSchema schema, RecordState visible, Change change)
    {
        if (change.Kind == ChangeKind.Action && schema.Actions.TryGetValue(change.ActionName!.Value, out var definition) && !definition.AllowedOffline && IsOffline)
        {
            throw new ActionNotAvailableException(change.ActionName.Value, "online_only",
                $"'{change.ActionName}' can only be performed online (the relay must check it at once). Connect and try again.");
        }

        // Clock skew is the relay's call: the local clock may legitimately run ahead of the local wall clock
        // (it observed later stamps, or the wall clock stepped back), so judge at the later of the two.
        var wall = _time.GetUtcNow();
        var stamped = change.Stamp.ToDateTimeOffset();
        var decision = ChangeRules.Decide(configuration, principal, visible, change, stamped > wall ? stamped : wall);
        if (decision.IsAccepted)
        {
            return change.Kind == ChangeKind.Action && decision.Effects.Count > 0
                ? Change.Upsert(change.Id, change.Stamp, change.Collection, change.RecordId, change.Base, decision.Effects)
                : null;
        }

        throw decision.Outcome switch
        {
            OutcomeKind.Forbidden => new PermissionDeniedException(decision.Message.Replace(" This change can only be discarded.", string.Empty, StringComparison.Ordinal)),
            OutcomeKind.Deleted => new RecordDeletedException(change.Collection, change.RecordId),
            _ when change.Kind == ChangeKind.Action => new ActionNotAvailableException(change.ActionName!.Value, decision.Reason,
                decision.Reason switch
                {
                    "unknown_action" => $"{decision.Message} Available here: {string.Join(", ", schema.Actions.Keys.Select(a => a.Text).Order(StringComparer.Ordinal))}.",
                    "guard_failed" or "not_found" => $"'{change.ActionName}' is not possible now: {decision.Message} Refresh the record and choose among its available actions.",
                    _ => decision.Message + " Fix the arguments and try again.",
                }),
            _ => new InvalidChangeException(decision.Reason, decision.Message + " Nothing was saved; fix the value and try again.", decision.Field),
        };
    }
}
