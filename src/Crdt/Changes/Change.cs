using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Changes;

/// <summary>
/// One immutable change to one record: an upsert of fields, a named action, or a delete.
/// </summary>
/// <remarks>
/// Invariants: the stamp belongs to the change's origin (<c>Stamp.Replica == Id.Origin</c>); the
/// sequence is at least 1; <see cref="Fields"/> is sorted by name with no name twice (for an upsert the
/// fields written, for an action its arguments, for a delete nothing); only an action has an
/// <see cref="ActionName"/>. <see cref="Base"/> is what the author had seen of the record when making the
/// change: it is what tells a concurrent write from a later one. Two changes are equal when their
/// canonical encodings are equal.
/// </remarks>
public sealed class Change
{
    // A change of exactly one field (the common local edit) keeps it inline in _single and has no array
    // until Fields is read; any other count keeps the array. The stamp keeps only its time: its replica is
    // the change's origin.
    private FieldValue[]? _fields;
    private readonly FieldValue _single;
    private readonly ulong _time;

    private Change(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, ChangeKind kind, VersionVector baseVersion, FieldValue[]? fields, FieldValue single, ActionName? action, bool trusted)
    {
        if (id.Origin.IsEmpty)
        {
            throw new ArgumentException("A change needs an origin replica id.", nameof(id));
        }

        if (id.Sequence < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id.Sequence, "Change sequences start at 1.");
        }

        if (stamp.Replica != id.Origin)
        {
            throw new ArgumentException($"The stamp of change {id} belongs to replica {stamp.Replica}; a change is stamped by its origin.", nameof(stamp));
        }

        if (collection.Text is null || recordId.Text is null)
        {
            throw new ArgumentException("A change needs a collection and a record id.");
        }

        Id = id;
        _time = stamp.Time;
        Collection = collection;
        RecordId = recordId;
        Kind = kind;
        Base = baseVersion ?? throw new ArgumentNullException(nameof(baseVersion));
        if (fields is null)
        {
            if (!trusted)
            {
                CheckField(single);
            }

            _single = single;
        }
        else if (fields.Length == 1)
        {
            if (!trusted)
            {
                CheckField(fields[0]);
            }

            _single = fields[0];
        }
        else
        {
            _fields = trusted ? fields : SortAndCheck(fields);
        }

        ActionName = action;
    }

    /// <summary>Identity and idempotency key.</summary>
    public ChangeId Id { get; }

    /// <summary>The author's clock reading when the change was made.</summary>
    public Stamp Stamp => new(_time, Id.Origin);

    /// <summary>The record's collection.</summary>
    public CollectionName Collection { get; }

    /// <summary>The record's id.</summary>
    public RecordId RecordId { get; }

    /// <summary>Upsert, action or delete.</summary>
    public ChangeKind Kind { get; }

    /// <summary>What the author had seen of the record (its version vector then).</summary>
    public VersionVector Base { get; }

    /// <summary>The fields written (upsert) or the arguments (action), sorted by name.</summary>
    public IReadOnlyList<FieldValue> Fields => _fields ??= [_single];

    /// <summary>The action's name, for an action; null otherwise.</summary>
    public ActionName? ActionName { get; }

    /// <summary>The fields without an array for a single field (the codecs and the merge).</summary>
    internal ReadOnlySpan<FieldValue> FieldSpan => _fields ?? MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _single), 1);

    /// <summary>An upsert of <paramref name="fields"/> (any order; a name may appear once).</summary>
    public static Change Upsert(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, VersionVector baseVersion, IEnumerable<FieldValue> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields is FieldValue[] { Length: 1 } one)
        {
            return new(id, stamp, collection, recordId, ChangeKind.Upsert, baseVersion, null, one[0], null, trusted: false);
        }

        return new(id, stamp, collection, recordId, ChangeKind.Upsert, baseVersion, CopyFields(fields), default, null, trusted: false);
    }

    /// <summary>A named action with its arguments (any order; a name may appear once).</summary>
    public static Change Action(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, VersionVector baseVersion, ActionName action, IEnumerable<FieldValue>? arguments = null) =>
        new(id, stamp, collection, recordId, ChangeKind.Action, baseVersion, arguments is null ? [] : CopyFields(arguments), default, action, trusted: false);

    /// <summary>A delete of the record.</summary>
    public static Change Delete(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, VersionVector baseVersion) =>
        new(id, stamp, collection, recordId, ChangeKind.Delete, baseVersion, [], default, null, trusted: false);

    /// <summary>Builds a change from already sorted, distinct fields (decoders, which check the order themselves).</summary>
    internal static Change FromParts(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, ChangeKind kind, VersionVector baseVersion, FieldValue[] fields, ActionName? action)
    {
        if ((kind == ChangeKind.Action) != action.HasValue)
        {
            throw new ArgumentException("Only an action has an action name.", nameof(action));
        }

        if (kind == ChangeKind.Delete && fields.Length != 0)
        {
            throw new ArgumentException("A delete has no fields.", nameof(fields));
        }

        return new Change(id, stamp, collection, recordId, kind, baseVersion, fields, default, action, trusted: true);
    }

    /// <summary>Builds an upsert or action of exactly one field (decoders, without an array).</summary>
    internal static Change FromParts(ChangeId id, Stamp stamp, CollectionName collection, RecordId recordId, ChangeKind kind, VersionVector baseVersion, FieldValue field, ActionName? action)
    {
        if ((kind == ChangeKind.Action) != action.HasValue || kind == ChangeKind.Delete)
        {
            throw new ArgumentException("Only an action has an action name, and a delete has no fields.", nameof(action));
        }

        return new Change(id, stamp, collection, recordId, kind, baseVersion, null, field, action, trusted: true);
    }

    /// <summary>The value written to <paramref name="field"/>, if this change writes it.</summary>
    public bool TryGetField(FieldName field, out Value value)
    {
        foreach (var entry in FieldSpan)
        {
            if (entry.Name == field)
            {
                value = entry.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>A short description for logs.</summary>
    public override string ToString() =>
        Kind switch
        {
            ChangeKind.Upsert => $"upsert {Collection}/{RecordId} [{string.Join(", ", Fields.Select(f => f.Name.Text))}] {Id}",
            ChangeKind.Action => $"action {ActionName} {Collection}/{RecordId} {Id}",
            _ => $"delete {Collection}/{RecordId} {Id}",
        };

    /// <summary>A private copy of the caller's fields (one allocation when they come as an array or list, the hot path of a local edit).</summary>
    private static FieldValue[] CopyFields(IEnumerable<FieldValue> fields) => fields switch
    {
        FieldValue[] array => array.AsSpan().ToArray(),
        List<FieldValue> list => [.. System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)],
        _ => [.. fields],
    };

    private static void CheckField(FieldValue field)
    {
        if (field.Name.Text is null)
        {
            throw new ArgumentException("A field needs a name.", "fields");
        }

        if (field.Value.Kind == ValueKind.String && !Value.IsWellFormed(field.Value.AsString))
        {
            throw new ArgumentException($"The field '{field.Name}' holds a malformed string.", "fields");
        }
    }

    private static FieldValue[] SortAndCheck(FieldValue[] fields)
    {
        for (var i = 1; i < fields.Length; i++)
        {
            if (fields[i - 1].Name.CompareTo(fields[i].Name) >= 0)
            {
                Array.Sort(fields, static (a, b) => a.Name.CompareTo(b.Name));
                break;
            }
        }

        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].Name.Text is null)
            {
                throw new ArgumentException("A field needs a name.", nameof(fields));
            }

            if (i > 0 && fields[i - 1].Name == fields[i].Name)
            {
                throw new ArgumentException($"The field '{fields[i].Name}' appears twice in one change.", nameof(fields));
            }

            if (fields[i].Value.Kind == ValueKind.String && !Value.IsWellFormed(fields[i].Value.AsString))
            {
                throw new ArgumentException($"The field '{fields[i].Name}' holds a malformed string.", nameof(fields));
            }
        }

        return fields;
    }
}
