using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Api;

/// <summary>
/// A record as the app sees it now: the confirmed state with the pending outbox entries applied on top.
/// </summary>
/// <param name="State">The visible state (fields, version, journal of lost concurrent writes).</param>
/// <param name="Status">Synced, pending, conflict or error.</param>
/// <param name="Freshness">How fresh the offline cache of its collection is.</param>
public sealed record RecordSnapshot(RecordState State, RecordStatus Status, CacheFreshness Freshness)
{
    /// <summary>The record's collection.</summary>
    public CollectionName Collection => State.Collection;

    /// <summary>The record's id.</summary>
    public RecordId Id => State.Id;

    /// <summary>The record's version vector as this device sees it.</summary>
    public VersionVector Version => State.Version;

    /// <summary>The value of a field, or null when absent.</summary>
    public Value this[string field] => State[new FieldName(field)];

    /// <summary>The fields and their values, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<FieldName, Value>> Fields =>
        [.. State.SortedFields().Select(f => new KeyValuePair<FieldName, Value>(f.Key, f.Value.Value))];

    /// <summary>True when edits are refused until an outbox entry is resolved or discarded.</summary>
    public bool IsLocked => Status is RecordStatus.Conflict or RecordStatus.Error;
}
