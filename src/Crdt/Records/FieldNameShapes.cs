using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Records;

/// <summary>
/// Shared, never-mutated arrays of sorted field names ("shapes"): records with the same set of field names
/// hold the same array, so looking a field up touches one small array that stays in cache instead of one
/// per record. Thread-safe; bounded (past the bound, arrays are simply not shared).
/// </summary>
internal static class FieldNameShapes
{
    private const int MaxShapes = 4096;
    private const int MaxSharedLength = 32;
    private static readonly Dictionary<ShapeKey, FieldName[]> s_shapes = [];
    private static readonly Lock s_lock = new();

    /// <summary>The shared array equal to <paramref name="names"/> (sorted, distinct) with <paramref name="name"/> inserted at <paramref name="at"/>.</summary>
    public static FieldName[] With(FieldName[] names, int at, FieldName name)
    {
        // A lock-free cache of recent transitions (shape + name → shape), compared by reference: records of
        // one collection are built by the same few steps, so most insertions need neither hashing nor the lock.
        var slot = (int)((uint)(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(names) ^ System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(name.Text)) % TransitionSlots);
        var cached = Volatile.Read(ref s_transitions[slot]);
        if (cached is not null && ReferenceEquals(cached.From, names) && ReferenceEquals(cached.Name, name.Text))
        {
            return cached.To;
        }

        var shared = WithSlow(names, at, name);
        Volatile.Write(ref s_transitions[slot], new Transition(names, name.Text, shared));
        return shared;
    }

    private const int TransitionSlots = 256;
    private static readonly Transition?[] s_transitions = new Transition?[TransitionSlots];

    private sealed record Transition(FieldName[] From, string Name, FieldName[] To);

    private static FieldName[] WithSlow(FieldName[] names, int at, FieldName name)
    {
        var result = new FieldName[names.Length + 1];
        names.AsSpan(0, at).CopyTo(result);
        result[at] = name;
        names.AsSpan(at).CopyTo(result.AsSpan(at + 1));
        return Intern(result);
    }

    /// <summary>The shared array equal to <paramref name="names"/> (sorted, distinct).</summary>
    public static FieldName[] Intern(ReadOnlySpan<FieldName> names)
    {
        if (names.Length == 0)
        {
            return [];
        }

        if (names.Length > MaxSharedLength)
        {
            return names.ToArray();
        }

        var array = names.ToArray();
        var key = new ShapeKey(array);
        lock (s_lock)
        {
            if (s_shapes.TryGetValue(key, out var shared))
            {
                return shared;
            }

            if (s_shapes.Count < MaxShapes)
            {
                s_shapes.Add(key, array);
            }
        }

        return array;
    }

    private readonly struct ShapeKey(FieldName[] names) : IEquatable<ShapeKey>
    {
        private readonly FieldName[] _names = names;

        public bool Equals(ShapeKey other)
        {
            if (_names.Length != other._names.Length)
            {
                return false;
            }

            for (var i = 0; i < _names.Length; i++)
            {
                if (!string.Equals(_names[i].Text, other._names[i].Text, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is ShapeKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var name in _names)
            {
                hash.Add(string.GetHashCode(name.Text, StringComparison.Ordinal));
            }

            return hash.ToHashCode();
        }
    }
}
