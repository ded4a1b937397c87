using System.Collections;
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
    private readonly ReplicaId[] _origins;
    private readonly long[] _sequences;

    /// <summary>The vector that has seen nothing.</summary>
    public static VersionVector Empty { get; } = new([], []);

    private VersionVector(ReplicaId[] origins, long[] sequences)
    {
        _origins = origins;
        _sequences = sequences;
    }

    /// <summary>Number of origins with a sequence above 0.</summary>
    public int Count => _origins.Length;

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

        return map.Count == 0 ? Empty : new VersionVector([.. map.Keys], [.. map.Values]);
    }

    /// <summary>Builds a vector from sorted, distinct origins and positive sequences (used by decoders, which check the order).</summary>
    internal static VersionVector FromSorted(ReplicaId[] origins, long[] sequences) =>
        origins.Length == 0 ? Empty : new VersionVector(origins, sequences);

    /// <summary>The highest sequence seen from <paramref name="origin"/>, 0 when none.</summary>
    public long Get(ReplicaId origin)
    {
        var index = IndexOf(origin);
        return index >= 0 ? _sequences[index] : 0;
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

        var index = IndexOf(change.Origin);
        if (index >= 0)
        {
            if (_sequences[index] >= change.Sequence)
            {
                return this;
            }

            // A copy by span, not Clone(): MemberwiseClone is several times slower for these small arrays.
            var sequences = new long[_sequences.Length];
            _sequences.AsSpan().CopyTo(sequences);
            sequences[index] = change.Sequence;
            return new VersionVector(_origins, sequences);
        }

        if (_origins.Length == 0)
        {
            return new VersionVector(SingleOrigin(change.Origin), [change.Sequence]);
        }

        var insertAt = ~index;
        var newOrigins = new ReplicaId[_origins.Length + 1];
        var newSequences = new long[_origins.Length + 1];
        Array.Copy(_origins, 0, newOrigins, 0, insertAt);
        Array.Copy(_sequences, 0, newSequences, 0, insertAt);
        newOrigins[insertAt] = change.Origin;
        newSequences[insertAt] = change.Sequence;
        Array.Copy(_origins, insertAt, newOrigins, insertAt + 1, _origins.Length - insertAt);
        Array.Copy(_sequences, insertAt, newSequences, insertAt + 1, _origins.Length - insertAt);
        return new VersionVector(newOrigins, newSequences);
    }

    private static ReplicaId[]? s_lastSingleOrigin;

    /// <summary>
    /// The one-origin array for <paramref name="origin"/>, shared by the vectors of that origin (origin arrays
    /// are never mutated): most records are written by one replica, and sharing keeps the array in cache.
    /// </summary>
    private static ReplicaId[] SingleOrigin(ReplicaId origin)
    {
        var cached = Volatile.Read(ref s_lastSingleOrigin);
        if (cached is not null && cached[0] == origin)
        {
            return cached;
        }

        ReplicaId[] created = [origin];
        Volatile.Write(ref s_lastSingleOrigin, created);
        return created;
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
        var count = 0;
        int i = 0, j = 0;
        while (i < _origins.Length || j < other._origins.Length)
        {
            var compare = i == _origins.Length ? 1 : j == other._origins.Length ? -1 : _origins[i].CompareTo(other._origins[j]);
            i += compare <= 0 ? 1 : 0;
            j += compare >= 0 ? 1 : 0;
            count++;
        }

        var origins = new ReplicaId[count];
        var sequences = new long[count];
        i = 0;
        j = 0;
        for (var k = 0; k < count; k++)
        {
            var compare = i == _origins.Length ? 1 : j == other._origins.Length ? -1 : _origins[i].CompareTo(other._origins[j]);
            if (compare < 0)
            {
                origins[k] = _origins[i];
                sequences[k] = _sequences[i++];
            }
            else if (compare > 0)
            {
                origins[k] = other._origins[j];
                sequences[k] = other._sequences[j++];
            }
            else
            {
                origins[k] = _origins[i];
                sequences[k] = Math.Max(_sequences[i++], other._sequences[j++]);
            }
        }

        return new VersionVector(origins, sequences);
    }

    /// <summary>How this vector relates to <paramref name="other"/>.</summary>
    public VersionOrder Compare(VersionVector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool thisAhead = false, otherAhead = false;
        int i = 0, j = 0;
        while (i < _origins.Length || j < other._origins.Length)
        {
            var compare = i == _origins.Length ? 1 : j == other._origins.Length ? -1 : _origins[i].CompareTo(other._origins[j]);
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
                var a = _sequences[i++];
                var b = other._sequences[j++];
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
    public bool Covers(VersionVector other) => Compare(other) is VersionOrder.Equal or VersionOrder.After;

    private int IndexOf(ReplicaId origin)
    {
        // Vectors are usually small (one entry per replica that ever wrote the record): a linear scan beats a
        // binary search there; a record written by many replicas (B3.1: 1,540) needs the binary search.
        if (_origins.Length > 8)
        {
            var found = Array.BinarySearch(_origins, origin);
            return found;
        }

        for (var i = 0; i < _origins.Length; i++)
        {
            var compare = _origins[i].CompareTo(origin);
            if (compare == 0)
            {
                return i;
            }

            if (compare > 0)
            {
                return ~i;
            }
        }

        return ~_origins.Length;
    }

    /// <inheritdoc />
    public bool Equals(VersionVector? other) =>
        other is not null && (ReferenceEquals(this, other) ||
            (_origins.AsSpan().SequenceEqual(other._origins) && _sequences.AsSpan().SequenceEqual(other._sequences)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < _origins.Length; i++)
        {
            hash.Add(_origins[i]);
            hash.Add(_sequences[i]);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<ReplicaId, long>> GetEnumerator()
    {
        for (var i = 0; i < _origins.Length; i++)
        {
            yield return new KeyValuePair<ReplicaId, long>(_origins[i], _sequences[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary><c>{origin:sequence, ...}</c>.</summary>
    public override string ToString() => "{" + string.Join(", ", this.Select(e => $"{e.Key}:{e.Value}")) + "}";
}
