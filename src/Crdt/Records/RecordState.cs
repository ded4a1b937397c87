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
    // Fields as two parallel arrays sorted by name: the names (exactly as many as fields, shared between
    // records with the same set of names, see FieldNameShapes) and the entries (capacity at least that).
    // No dictionary: one record is then three objects (state, names shared, entries), not a chain of five
    // to seven, which is what a random access to one of many records pays in cache misses.
    private FieldName[] _names;
    private FieldEntry[] _entries;
    private List<JournalEntry>? _journal;
    private FieldsView? _view;

    // True when every field's Seen is included in Version (always so for local edits and causal delivery).
    // Then a write whose base covers the version has, for every field, Seen ⊔ base = base: the merge need
    // not read the field's old Seen vector (one dependent object less per write).
    private bool _seenInVersion = true;

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
        _names = [];
        _entries = [];
    }

    private RecordState(CollectionName collection, RecordId id, FieldName[] names, FieldEntry[] entries)
    {
        Collection = collection;
        Id = id;
        Version = VersionVector.Empty;
        _names = names;
        _entries = entries;
    }

    private RecordState(RecordState other)
    {
        Collection = other.Collection;
        Id = other.Id;
        Version = other.Version;
        Tombstone = other.Tombstone;
        _names = other._names;
        _entries = other._entries.AsSpan(0, other._names.Length).ToArray();
        _journal = other._journal is { Count: > 0 } journal ? [.. journal] : null;
        _seenInVersion = other._seenInVersion;
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

    /// <summary>
    /// True when at least one change (an action alone counts) was merged, the record is not deleted, and it has no field
    /// or one of its fields holds a value (a record whose every field is null does not exist: see <see cref="RecordPresence"/>).
    /// </summary>
    public bool Exists => !IsDeleted && Version.Count > 0 && RecordPresence.HasNoFieldOrAValue(FieldEntrySpan);

    /// <summary>The fields, unordered.</summary>
    public IReadOnlyDictionary<FieldName, FieldEntry> Fields => _view ??= new FieldsView(this);

    /// <summary>The conflict journal, sorted by field, stamp, change id.</summary>
    public IReadOnlyList<JournalEntry> Journal => (IReadOnlyList<JournalEntry>?)_journal ?? [];

    /// <summary>Number of fields.</summary>
    internal int FieldCount => _names.Length;

    /// <summary>The field names in canonical order (do not modify).</summary>
    internal ReadOnlySpan<FieldName> FieldNameSpan => _names;

    /// <summary>The field entries aligned with <see cref="FieldNameSpan"/> (do not modify).</summary>
    internal ReadOnlySpan<FieldEntry> FieldEntrySpan => _entries.AsSpan(0, _names.Length);

    /// <summary>The value of <paramref name="field"/>, if the record has it.</summary>
    public bool TryGetValue(FieldName field, out Value value)
    {
        var index = IndexOf(field);
        if (index >= 0)
        {
            value = _entries[index].Value;
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
        var fields = new KeyValuePair<FieldName, FieldEntry>[_names.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new KeyValuePair<FieldName, FieldEntry>(_names[i], _entries[i]);
        }

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

        var previous = Version;
        var version = previous.With(change.Id);
        var known = ReferenceEquals(version, previous);
        Version = version;

        if (change.Kind == ChangeKind.Delete)
        {
            var tombstone = new Tombstone(change.Stamp, change.Id);
            if (Tombstone is not { } existing)
            {
                Tombstone = tombstone;
                ClearFields();
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
        var writes = change.FieldSpan;
        var baseCoversAllSeen = _seenInVersion && change.Base.Covers(previous);
        _seenInVersion &= version.Covers(change.Base);
        if (_names.Length == 0 && writes.Length > 1)
        {
            // The first write of a record with several fields (a create): all fields at once, one shape.
            var names = new FieldName[writes.Length];
            var entries = new FieldEntry[writes.Length];
            for (var i = 0; i < writes.Length; i++)
            {
                names[i] = writes[i].Name;
                entries[i] = new FieldEntry(writes[i].Value, change.Stamp, change.Id, change.Base);
            }

            _names = FieldNameShapes.Intern(names);
            _entries = entries;
            return ApplyOutcome.Applied;
        }

        foreach (var write in writes)
        {
            var index = IndexOf(write.Name);
            if (index < 0)
            {
                Insert(~index, write.Name, new FieldEntry(write.Value, change.Stamp, change.Id, change.Base));
                won = true;
                continue;
            }

            ref var entry = ref _entries[index];

            var seen = baseCoversAllSeen ? change.Base : entry.Seen.Merge(change.Base);
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
            changed |= _names.Length > 0 || _journal is { Count: > 0 };
            ClearFields();
            return changed;
        }

        for (var k = 0; k < other._names.Length; k++)
        {
            var name = other._names[k];
            var theirEntry = other._entries[k];
            var index = IndexOf(name);
            if (index < 0)
            {
                Insert(~index, name, theirEntry);
                changed = true;
                continue;
            }

            ref var entry = ref _entries[index];

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

        _seenInVersion &= other._seenInVersion;
        if (other._journal is { } theirJournal)
        {
            foreach (var journalEntry in theirJournal)
            {
                // Take only the entries the merged field has not seen. Adding one and pruning it again below
                // would leave the state as it was but report a change (found by Merge_IsIdempotent).
                if (!_entries[IndexOf(journalEntry.Field)].Seen.Includes(journalEntry.Writer))
                {
                    changed |= AddToJournal(journalEntry);
                }
            }
        }

        if (_journal is { Count: > 0 } journal)
        {
            changed |= journal.RemoveAll(e => _entries[IndexOf(e.Field)].Seen.Includes(e.Writer)) > 0;
        }

        return changed;
    }

    /// <summary>Builds a state from decoded parts (decoders check canonical order themselves).</summary>
    internal static RecordState FromParts(CollectionName collection, RecordId id, VersionVector version, Tombstone? tombstone, IEnumerable<KeyValuePair<FieldName, FieldEntry>> fields, IEnumerable<JournalEntry> journal)
    {
        var list = fields.ToArray();
        Array.Sort(list, static (a, b) => a.Key.CompareTo(b.Key));
        var names = new FieldName[list.Length];
        var entries = new FieldEntry[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            if (i > 0 && list[i - 1].Key == list[i].Key)
            {
                throw new ArgumentException($"The field '{list[i].Key}' appears twice.", nameof(fields));
            }

            names[i] = list[i].Key;
            entries[i] = list[i].Value;
        }

        var state = new RecordState(collection, id, FieldNameShapes.Intern(names), entries) { Version = version, Tombstone = tombstone };
        state._seenInVersion = SeenInVersion(version, entries);
        var journalList = journal.ToList();
        state._journal = journalList.Count > 0 ? journalList : null;
        return state;
    }

    /// <summary>Builds a state from decoded parts held in arrays (the snapshot decoder, which checks canonical order itself).</summary>
    internal static RecordState FromParts(CollectionName collection, RecordId id, VersionVector version, Tombstone? tombstone, FieldName[] names, FieldEntry[] entries, int fieldCount, JournalEntry[] journal)
    {
        var state = new RecordState(collection, id, FieldNameShapes.Intern(names.AsSpan(0, fieldCount)), entries.AsSpan(0, fieldCount).ToArray())
        {
            Version = version,
            Tombstone = tombstone,
        };
        state._seenInVersion = SeenInVersion(version, state._entries);
        if (journal.Length > 0)
        {
            state._journal = [.. journal];
        }

        return state;
    }

    /// <summary>The index of <paramref name="field"/>, or the bitwise complement of where it would be inserted.</summary>
    private int IndexOf(FieldName field)
    {
        var names = _names;
        var text = field.Text;

        // Names are usually the same string instances (shared shapes, interned table entries): a reference
        // scan first touches nothing but the names array.
        for (var i = 0; i < names.Length; i++)
        {
            if (ReferenceEquals(names[i].Text, text))
            {
                return i;
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            var compare = string.CompareOrdinal(names[i].Text, text);
            if (compare == 0)
            {
                return i;
            }

            if (compare > 0)
            {
                return ~i;
            }
        }

        return ~names.Length;
    }

    private void Insert(int at, FieldName name, FieldEntry entry)
    {
        var count = _names.Length;
        if (_entries.Length == count)
        {
            var grown = new FieldEntry[Math.Max(4, count * 2)];
            _entries.AsSpan(0, count).CopyTo(grown);
            _entries = grown;
        }

        if (at < count)
        {
            Array.Copy(_entries, at, _entries, at + 1, count - at);
        }

        _entries[at] = entry;
        _names = FieldNameShapes.With(_names, at, name);
    }

    private static bool SeenInVersion(VersionVector version, FieldEntry[] entries)
    {
        foreach (var entry in entries)
        {
            if (!version.Covers(entry.Seen))
            {
                return false;
            }
        }

        return true;
    }

    private void ClearFields()
    {
        _seenInVersion = true;
        _names = [];
        _entries = [];
        _journal = null;
    }

    private bool AddToJournal(JournalEntry entry)
    {
        var journal = _journal ??= [];
        var index = journal.BinarySearch(entry);
        if (index >= 0)
        {
            return false;
        }

        journal.Insert(~index, entry);
        return true;
    }

    private void PruneJournal(FieldName field, VersionVector seen)
    {
        // An empty seen vector includes nothing. A loop, not RemoveAll with a lambda: a lambda capturing
        // the parameters allocates its closure on every call (the hot path of Apply), and nothing is
        // written until the first entry to remove is found.
        if (_journal is not { Count: > 0 } journal || seen.Count == 0)
        {
            return;
        }

        var first = 0;
        while (first < journal.Count && !(journal[first].Field == field && seen.Includes(journal[first].Writer)))
        {
            first++;
        }

        if (first == journal.Count)
        {
            return;
        }

        var kept = first;
        for (var i = first + 1; i < journal.Count; i++)
        {
            var entry = journal[i];
            if (entry.Field == field && seen.Includes(entry.Writer))
            {
                continue;
            }

            journal[kept++] = entry;
        }

        journal.RemoveRange(kept, journal.Count - kept);
    }

    /// <summary>The read-only dictionary view of the fields (enumerated in canonical order).</summary>
    private sealed class FieldsView(RecordState state) : IReadOnlyDictionary<FieldName, FieldEntry>
    {
        public FieldEntry this[FieldName key] =>
            TryGetValue(key, out var entry) ? entry : throw new KeyNotFoundException($"The record has no field '{key}'.");

        public IEnumerable<FieldName> Keys
        {
            get
            {
                for (var i = 0; i < state._names.Length; i++)
                {
                    yield return state._names[i];
                }
            }
        }

        public IEnumerable<FieldEntry> Values
        {
            get
            {
                for (var i = 0; i < state._names.Length; i++)
                {
                    yield return state._entries[i];
                }
            }
        }

        public int Count => state._names.Length;

        public bool ContainsKey(FieldName key) => key.Text is not null && state.IndexOf(key) >= 0;

        public bool TryGetValue(FieldName key, out FieldEntry value)
        {
            var index = key.Text is null ? -1 : state.IndexOf(key);
            value = index >= 0 ? state._entries[index] : default;
            return index >= 0;
        }

        public IEnumerator<KeyValuePair<FieldName, FieldEntry>> GetEnumerator()
        {
            for (var i = 0; i < state._names.Length; i++)
            {
                yield return new KeyValuePair<FieldName, FieldEntry>(state._names[i], state._entries[i]);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
