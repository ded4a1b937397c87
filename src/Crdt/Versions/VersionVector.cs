using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Crdt.Versions;

/// <summary>
/// An immutable map from origin replica to the highest sequence number seen from it.
/// </summary>
/// <remarks>
/// Laws:
/// <list type="bullet">
/// <item>Entries are sorted by origin and every sequence is at least 1 (an origin never seen is absent,
/// which reads as 0); so equal vectors have equal entries and equal encodings.</item>
/// <item><see cref="Merge"/> is the pointwise maximum: commutative, associative, idempotent, with
/// <see cref="Empty"/> as identity; <c>a.Merge(b)</c> is at or after both.</item>
/// <item><see cref="Compare"/> is a partial order: reflexive (Equal), antisymmetric (Before one way is After
/// the other), transitive.</item>
/// <item><see cref="Includes(ChangeId)"/> holds when the sequence for the change's origin is at least the change's.</item>
/// </list>
/// </remarks>
public sealed class VersionVector : IEquatable<VersionVector>, IReadOnlyCollection<KeyValuePair<ReplicaId, long>>
{
    // Two layouts: a vector of one origin (most records are written by one replica) keeps its entry inline,
    // one object and no arrays; any other count keeps two arrays (null in the one-entry layout).
    private readonly ReplicaId[]? _originArray;
    private readonly long[]? _sequenceArray;
    private readonly ReplicaId _singleOrigin;
    private readonly long _singleSequence;

    /// <summary>The vector that has seen nothing.</summary>
    public static VersionVector Empty { get; } = new([], []);

    private VersionVector(ReplicaId[] origins, long[] sequences)
    {
        _originArray = origins;
        _sequenceArray = sequences;
    }

    private VersionVector(ReplicaId origin, long sequence)
    {
        _singleOrigin = origin;
        _singleSequence = sequence;
    }

    private ReadOnlySpan<ReplicaId> _origins =>
        _originArray ?? MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _singleOrigin), 1);

    private ReadOnlySpan<long> _sequences =>
        _sequenceArray ?? MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _singleSequence), 1);

    /// <summary>Number of origins with a sequence above 0.</summary>
    public int Count => _originArray is null ? 1 : _originArray.Length;

    /// <summary>The origins, in order.</summary>
    public ReadOnlySpan<ReplicaId> Origins => _origins;

    /// <summary>The sequences, aligned with <see cref="Origins"/>.</summary>
    public ReadOnlySpan<long> Sequences => _sequences;

    /// <summary>Builds a vector from entries in any order; duplicates keep their maximum; zero entries are dropped.</summary>
    public static VersionVector From(IEnumerable<KeyValuePair<ReplicaId, long>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new SortedDictionary<ReplicaId, long>();
        foreach (var (origin, sequence) in entries)
        {
            if (sequence < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(entries), sequence, "A version vector's sequence is never negative.");
            }

            if (sequence == 0)
            {
                continue;
            }

            map[origin] = map.TryGetValue(origin, out var existing) ? Math.Max(existing, sequence) : sequence;
        }

        return map.Count switch
        {
            0 => Empty,
            1 => new VersionVector(map.Keys.First(), map.Values.First()),
            _ => new VersionVector([.. map.Keys], [.. map.Values]),
        };
    }

    /// <summary>Builds a vector from sorted, distinct origins and positive sequences (used by decoders, which check the order).</summary>
    internal static VersionVector FromSorted(ReplicaId[] origins, long[] sequences) =>
        origins.Length switch
        {
            0 => Empty,
            1 => new VersionVector(origins[0], sequences[0]),
            _ => new VersionVector(origins, sequences),
        };

    /// <summary>The vector of one origin with a positive sequence (decoders), without arrays.</summary>
    internal static VersionVector Single(ReplicaId origin, long sequence) => new(origin, sequence);

    /// <summary>The highest sequence seen from <paramref name="origin"/>, 0 when none.</summary>
    public long Get(ReplicaId origin)
    {
        if (_originArray is null)
        {
            return _singleOrigin == origin ? _singleSequence : 0;
        }

        var index = IndexOf(origin);
        return index >= 0 ? _sequenceArray![index] : 0;
    }

    /// <summary>True when this vector has seen <paramref name="change"/>.</summary>
    public bool Includes(ChangeId change) => Get(change.Origin) >= change.Sequence;

    /// <summary>The vector that has also seen <paramref name="change"/> (and everything before it from the same origin).</summary>
    public VersionVector With(ChangeId change)
    {
        if (change.Sequence <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(change), change.Sequence, "Change sequences start at 1.");
        }

        if (_originArray is null)
        {
            var order = _singleOrigin.CompareTo(change.Origin);
            if (order == 0)
            {
                return _singleSequence >= change.Sequence ? this : new VersionVector(change.Origin, change.Sequence);
            }

            return order < 0
                ? new VersionVector([_singleOrigin, change.Origin], [_singleSequence, change.Sequence])
                : new VersionVector([change.Origin, _singleOrigin], [change.Sequence, _singleSequence]);
        }

        if (_originArray.Length == 0)
        {
            return new VersionVector(change.Origin, change.Sequence);
        }

        var origins = _originArray;
        var current = _sequenceArray!;
        var index = IndexOf(change.Origin);
        if (index >= 0)
        {
            if (current[index] >= change.Sequence)
            {
                return this;
            }

            // A copy by span, not Clone(): MemberwiseClone is several times slower for these small arrays.
            var sequences = new long[current.Length];
            current.AsSpan().CopyTo(sequences);
            sequences[index] = change.Sequence;
            return new VersionVector(origins, sequences);
        }

        var insertAt = ~index;
        var newOrigins = new ReplicaId[origins.Length + 1];
        var newSequences = new long[origins.Length + 1];
        Array.Copy(origins, 0, newOrigins, 0, insertAt);
        Array.Copy(current, 0, newSequences, 0, insertAt);
        newOrigins[insertAt] = change.Origin;
        newSequences[insertAt] = change.Sequence;
        Array.Copy(origins, insertAt, newOrigins, insertAt + 1, origins.Length - insertAt);
        Array.Copy(current, insertAt, newSequences, insertAt + 1, origins.Length - insertAt);
        return new VersionVector(newOrigins, newSequences);
    }

    /// <summary>The pointwise maximum of both vectors. Returns an existing instance when one already covers the other.</summary>
    public VersionVector Merge(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var order = Compare(other);
        if (order is VersionOrder.Equal or VersionOrder.After)
        {
            return this;
        }

        if (order == VersionOrder.Before)
        {
            return other;
        }

        // Exact-size arrays in two passes: this runs for every concurrent write, so no lists and no copies.
        var mine = _origins;
        var mySequences = _sequences;
        var theirs = other._origins;
        var theirSequences = other._sequences;
        var count = 0;
        int i = 0, j = 0;
        while (i < mine.Length || j < theirs.Length)
        {
            var compare = i == mine.Length ? 1 : j == theirs.Length ? -1 : mine[i].CompareTo(theirs[j]);
            i += compare <= 0 ? 1 : 0;
            j += compare >= 0 ? 1 : 0;
            count++;
        }

        // When one side already has every origin of the result (same count), its origin array is the result's:
        // origin arrays are never written after construction, so they are shared (concurrent writes of two
        // replicas then allocate only the sequences).
        var sharedOrigins = count == mine.Length ? _originArray : count == theirs.Length ? other._originArray : null;
        var origins = sharedOrigins ?? new ReplicaId[count];
        var sequences = new long[count];
        i = 0;
        j = 0;
        for (var k = 0; k < count; k++)
        {
            var compare = i == mine.Length ? 1 : j == theirs.Length ? -1 : mine[i].CompareTo(theirs[j]);
            var origin = compare > 0 ? theirs[j] : mine[i];
            if (compare < 0)
            {
                sequences[k] = mySequences[i++];
            }
            else if (compare > 0)
            {
                sequences[k] = theirSequences[j++];
            }
            else
            {
                sequences[k] = Math.Max(mySequences[i++], theirSequences[j++]);
            }

            if (sharedOrigins is null)
            {
                origins[k] = origin;
            }
        }

        return count == 1 ? new VersionVector(origins[0], sequences[0]) : new VersionVector(origins, sequences);
    }

    /// <summary>How this vector relates to <paramref name="other"/>.</summary>
    public VersionOrder Compare(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return VersionOrder.Equal;
        }

        var mine = _origins;
        var mySequences = _sequences;
        var theirs = other._origins;
        var theirSequences = other._sequences;
        bool thisAhead = false, otherAhead = false;
        int i = 0, j = 0;
        while (i < mine.Length || j < theirs.Length)
        {
            var compare = i == mine.Length ? 1 : j == theirs.Length ? -1 : mine[i].CompareTo(theirs[j]);
            if (compare < 0)
            {
                thisAhead = true;
                i++;
            }
            else if (compare > 0)
            {
                otherAhead = true;
                j++;
            }
            else
            {
                var a = mySequences[i++];
                var b = theirSequences[j++];
                if (a > b)
                {
                    thisAhead = true;
                }
                else if (b > a)
                {
                    otherAhead = true;
                }
            }

            if (thisAhead && otherAhead)
            {
                return VersionOrder.Concurrent;
            }
        }

        return thisAhead ? VersionOrder.After : otherAhead ? VersionOrder.Before : VersionOrder.Equal;
    }

    /// <summary>True when this vector has seen everything <paramref name="other"/> has.</summary>
    public bool Covers(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        var count = Count;
        var otherCount = other.Count;
        if (otherCount > count)
        {
            return false;
        }

        if (otherCount <= 4 || otherCount * 8 < count)
        {
            // Few entries to check (a one-origin base against a hub's vector of 1,540): look each one up
            // instead of walking both vectors.
            var origins = other._origins;
            var sequences = other._sequences;
            for (var i = 0; i < origins.Length; i++)
            {
                if (Get(origins[i]) < sequences[i])
                {
                    return false;
                }
            }

            return true;
        }

        return Compare(other) is VersionOrder.Equal or VersionOrder.After;
    }

    private int IndexOf(ReplicaId origin)
    {
        var origins = _origins;
        // Vectors are usually small (one entry per replica that ever wrote the record): a linear scan beats a
        // binary search there; a record written by many replicas (B3.1: 1,540) needs the binary search.
        if (origins.Length > 8)
        {
            var found = origins.BinarySearch(origin);
            return found;
        }

        for (var i = 0; i < origins.Length; i++)
        {
            var compare = origins[i].CompareTo(origin);
            if (compare == 0)
            {
                return i;
            }

            if (compare > 0)
            {
                return ~i;
            }
        }

        return ~origins.Length;
    }

    /// <inheritdoc />
    public bool Equals(VersionVector? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_origins.SequenceEqual(other._origins) && _sequences.SequenceEqual(other._sequences)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        var origins = _origins;
        var sequences = _sequences;
        for (var i = 0; i < origins.Length; i++)
        {
            hash.Add(origins[i]);
            hash.Add(sequences[i]);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<ReplicaId, long>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return new KeyValuePair<ReplicaId, long>(_origins[i], _sequences[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><c>{origin:sequence, ...}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", this.Select(e => $"{e.Key}:{e.Value}")) + "}";
}
