using System.Runtime.InteropServices;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Records;

/// <summary>
/// The merged state of one record: a map field → <see cref="FieldEntry"/>, the record's version vector,
/// an optional <see cref="Tombstone"/>, and the conflict journal. A state-based CRDT.
/// </summary>
/// <remarks>
/// <para>The state is a function of the <em>set</em> of changes merged into it (defined on that set, so
/// order and duplicates cannot matter):</para>
/// <list type="bullet">
/// <item><see cref="Version"/> is the pointwise max of the merged change ids.</item>
/// <item>The tombstone is the greatest merged delete (by stamp, then change id). A deleted record has no
/// fields and no journal: delete wins over every concurrent edit and nothing resurrects it.</item>
/// <item>Each field holds its greatest write by (stamp, then change id, then value): last writer wins,
/// with a deterministic tie-break. A causally later write always has the greater stamp, because its
/// author's clock observed the earlier one.</item>
/// <item>A field's <c>Seen</c> is the join of the base versions of the upserts that wrote it.</item>
/// <item>The journal holds each write that is not its field's winner and that the field's <c>Seen</c>
/// does not include: a write lost to a concurrent one that no later writer of the field has seen.</item>
/// </list>
/// <para>Hence <see cref="MergeFrom"/> is commutative, associative and idempotent, and
/// <see cref="Apply"/> of any permutation of a change set, with duplicates, gives equal states (equal
/// canonical encodings). Equality of two states is equality of their canonical encodings.</para>
/// <para>Not thread-safe; use <see cref="Clone"/> to keep a copy.</para>
/// </remarks>
public sealed class RecordState
{
    private readonly Dictionary<FieldName, FieldEntry> _fields;
    private readonly List<JournalEntry> _journal;

    /// <summary>An empty state: a record nobody has written yet.</summary>
    public RecordState(CollectionName collection, RecordId id)
    {
        if (collection.Text is null || id.Text is null)
        {
            throw new ArgumentException("A record needs a collection and an id.");
        }

        Collection = collection;
        Id = id;
        Version = VersionVector.Empty;
        _fields = [];
        _journal = [];
    }

    private RecordState(CollectionName collection, RecordId id, int fieldCapacity)
    {
        Collection = collection;
        Id = id;
        Version = VersionVector.Empty;
        _fields = new Dictionary<FieldName, FieldEntry>(fieldCapacity);
        _journal = [];
    }

    private RecordState(RecordState other)
    {
        Collection = other.Collection;
        Id = other.Id;
        Version = other.Version;
        Tombstone = other.Tombstone;
        _fields = new Dictionary<FieldName, FieldEntry>(other._fields);
        _journal = [.. other._journal];
    }

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId Id { get; }

    /// <summary>Origin → highest sequence of the changes merged into this record.</summary>
    public VersionVector Version { get; private set; }

    /// <summary>Set once the record is deleted.</summary>
    public Tombstone? Tombstone { get; private set; }

    /// <summary>True once a delete has been merged.</summary>
    public bool IsDeleted => Tombstone.HasValue;

    /// <summary>True when at least one change (an action alone counts) was merged and the record is not deleted.</summary>
    public bool Exists => !IsDeleted && Version.Count > 0;

    /// <summary>The fields, unordered.</summary>
    public IReadOnlyDictionary<FieldName, FieldEntry> Fields => _fields;

    /// <summary>The conflict journal, sorted by field, stamp, change id.</summary>
    public IReadOnlyList<JournalEntry> Journal => _journal;

    /// <summary>The value of <paramref name="field"/>, if the record has it.</summary>
    public bool TryGetValue(FieldName field, out Value value)
    {
        if (_fields.TryGetValue(field, out var entry))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The value of <paramref name="field"/>, or null when absent.</summary>
    public Value this[FieldName field] => TryGetValue(field, out var value) ? value : Value.Null;

    /// <summary>The fields sorted by name (the canonical order).</summary>
    public KeyValuePair<FieldName, FieldEntry>[] SortedFields()
    {
        var fields = _fields.ToArray();
        Array.Sort(fields, static (a, b) => a.Key.CompareTo(b.Key));
        return fields;
    }

    /// <summary>A deep copy.</summary>
    public RecordState Clone() => new(this);

    /// <summary>Builds a state from a set of changes (in any order, duplicates allowed).</summary>
    public static RecordState FromChanges(CollectionName collection, RecordId id, IEnumerable<Change> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var state = new RecordState(collection, id);
        foreach (var change in changes)
        {
            state.Apply(change);
        }

        return state;
    }

    /// <summary>Merges one change into this record.</summary>
    /// <exception cref="ArgumentException">The change belongs to another record.</exception>
    public ApplyOutcome Apply(Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Collection != Collection || change.RecordId != Id)
        {
            throw new ArgumentException($"Change {change.Id} is for {change.Collection}/{change.RecordId}, not {Collection}/{Id}.", nameof(change));
        }

        var version = Version.With(change.Id);
        var known = ReferenceEquals(version, Version);
        Version = version;

        if (change.Kind == ChangeKind.Delete)
        {
            var tombstone = new Tombstone(change.Stamp, change.Id);
            if (Tombstone is not { } existing)
            {
                Tombstone = tombstone;
                _fields.Clear();
                _journal.Clear();
                return ApplyOutcome.Applied;
            }

            if (tombstone.CompareTo(existing) > 0)
            {
                Tombstone = tombstone;
                return ApplyOutcome.Absorbed;
            }

            return known ? ApplyOutcome.AlreadyKnown : ApplyOutcome.Absorbed;
        }

        if (IsDeleted)
        {
            return known ? ApplyOutcome.AlreadyKnown : ApplyOutcome.Absorbed;
        }

        if (change.Kind == ChangeKind.Action)
        {
            return known ? ApplyOutcome.AlreadyKnown : ApplyOutcome.Recorded;
        }

        var won = false;
        var changed = false;
        foreach (var write in change.FieldArray)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_fields, write.Name, out var exists);
            if (!exists)
            {
                entry = new FieldEntry(write.Value, change.Stamp, change.Id, change.Base);
                won = true;
                continue;
            }

            var seen = entry.Seen.Merge(change.Base);
            var order = FieldEntry.CompareWrites(write.Value, change.Stamp, change.Id, entry.Value, entry.Stamp, entry.Writer);
            if (order > 0)
            {
                var displaced = entry;
                entry = new FieldEntry(write.Value, change.Stamp, change.Id, seen);
                won = true;
                if (!seen.Includes(displaced.Writer))
                {
                    AddToJournal(new JournalEntry(write.Name, displaced.Value, displaced.Stamp, displaced.Writer));
                }
            }
            else if (order < 0)
            {
                if (!seen.Includes(change.Id))
                {
                    changed |= AddToJournal(new JournalEntry(write.Name, write.Value, change.Stamp, change.Id));
                }

                if (!ReferenceEquals(seen, entry.Seen))
                {
                    entry = entry with { Seen = seen };
                    changed = true;
                }
            }
            else if (!ReferenceEquals(seen, entry.Seen))
            {
                entry = entry with { Seen = seen };
                changed = true;
            }

            if (!ReferenceEquals(seen, entry.Seen) || order != 0)
            {
                PruneJournal(write.Name, seen);
            }
        }

        return won ? ApplyOutcome.Applied : (changed || !known) ? ApplyOutcome.Superseded : ApplyOutcome.AlreadyKnown;
    }

    /// <summary>Merges another state of the same record into this one. Returns true when this state changed.</summary>
    /// <exception cref="ArgumentException">The other state belongs to another record.</exception>
    public bool MergeFrom(RecordState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Collection != Collection || other.Id != Id)
        {
            throw new ArgumentException($"Cannot merge {other.Collection}/{other.Id} into {Collection}/{Id}.", nameof(other));
        }

        var before = Version;
        var changed = false;
        Version = Version.Merge(other.Version);
        changed |= !ReferenceEquals(before, Version) && !before.Equals(Version);

        if (other.Tombstone is { } theirs && (Tombstone is not { } ours || theirs.CompareTo(ours) > 0))
        {
            Tombstone = theirs;
            changed = true;
        }

        if (IsDeleted)
        {
            changed |= _fields.Count > 0 || _journal.Count > 0;
            _fields.Clear();
            _journal.Clear();
            return changed;
        }

        foreach (var (name, theirEntry) in other._fields)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_fields, name, out var exists);
            if (!exists)
            {
                entry = theirEntry;
                changed = true;
                continue;
            }

            var seen = entry.Seen.Merge(theirEntry.Seen);
            var order = FieldEntry.CompareWrites(theirEntry.Value, theirEntry.Stamp, theirEntry.Writer, entry.Value, entry.Stamp, entry.Writer);
            var winner = order > 0 ? theirEntry : entry;
            var loser = order > 0 ? entry : theirEntry;
            if (order != 0 && !seen.Includes(loser.Writer))
            {
                changed |= AddToJournal(new JournalEntry(name, loser.Value, loser.Stamp, loser.Writer));
            }

            var merged = winner with { Seen = seen };
            if (merged != entry)
            {
                entry = merged;
                changed = true;
            }
        }

        foreach (var journalEntry in other._journal)
        {
            // Take only the entries the merged field has not seen. Adding one and pruning it again below
            // would leave the state as it was but report a change (found by Merge_IsIdempotent).
            if (!_fields[journalEntry.Field].Seen.Includes(journalEntry.Writer))
            {
                changed |= AddToJournal(journalEntry);
            }
        }

        changed |= _journal.RemoveAll(e => _fields[e.Field].Seen.Includes(e.Writer)) > 0;
        return changed;
    }

    /// <summary>Builds a state from decoded parts (decoders check canonical order themselves).</summary>
    internal static RecordState FromParts(CollectionName collection, RecordId id, VersionVector version, Tombstone? tombstone, IEnumerable<KeyValuePair<FieldName, FieldEntry>> fields, IEnumerable<JournalEntry> journal)
    {
        var state = new RecordState(collection, id) { Version = version, Tombstone = tombstone };
        foreach (var (name, entry) in fields)
        {
            state._fields.Add(name, entry);
        }

        state._journal.AddRange(journal);
        return state;
    }

    /// <summary>Builds a state from decoded parts held in arrays (the snapshot decoder, which checks canonical order itself).</summary>
    internal static RecordState FromParts(CollectionName collection, RecordId id, VersionVector version, Tombstone? tombstone, FieldName[] names, FieldEntry[] entries, int fieldCount, JournalEntry[] journal)
    {
        var state = new RecordState(collection, id, fieldCount) { Version = version, Tombstone = tombstone };
        for (var i = 0; i < fieldCount; i++)
        {
            state._fields.Add(names[i], entries[i]);
        }

        if (journal.Length > 0)
        {
            state._journal.AddRange(journal);
        }

        return state;
    }

    private bool AddToJournal(JournalEntry entry)
    {
        var index = _journal.BinarySearch(entry);
        if (index >= 0)
        {
            return false;
        }

        _journal.Insert(~index, entry);
        return true;
    }

    private void PruneJournal(FieldName field, VersionVector seen)
    {
        // An empty seen vector includes nothing. A loop, not RemoveAll with a lambda: a lambda capturing
        // the parameters allocates its closure on every call (the hot path of Apply), and nothing is
        // written until the first entry to remove is found.
        if (_journal.Count == 0 || seen.Count == 0)
        {
            return;
        }

        var first = 0;
        while (first < _journal.Count && !(_journal[first].Field == field && seen.Includes(_journal[first].Writer)))
        {
            first++;
        }

        if (first == _journal.Count)
        {
            return;
        }

        var kept = first;
        for (var i = first + 1; i < _journal.Count; i++)
        {
            var entry = _journal[i];
            if (entry.Field == field && seen.Includes(entry.Writer))
            {
                continue;
            }

            _journal[kept++] = entry;
        }

        _journal.RemoveRange(kept, _journal.Count - kept);
    }
}
