using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Records;

/// <summary>
/// The version vector of one record, kept inside the record: up to two origins inline (most records are written
/// by one or two replicas), more as an immutable <see cref="VersionVector"/>. Adding a change id to an inline
/// version allocates nothing; a <see cref="VersionVector"/> is built only when asked for, and kept until the next
/// change.
/// </summary>
/// <remarks>
/// Invariants: the inline entries are sorted by origin with sequences of at least 1; when <c>_count</c> is
/// <see cref="Spilled"/> the version is <c>_vector</c>, otherwise <c>_vector</c> is null or a vector equal to
/// the inline entries. A mutable struct: only the owning <see cref="RecordState"/> holds it, as a field.
/// </remarks>
internal struct RecordVersion
{
    private const int Spilled = -1;

    private ReplicaId _origin0;
    private long _sequence0;
    private ReplicaId _origin1;
    private long _sequence1;
    private int _count;
    private VersionVector? _vector;

    /// <summary>The empty version.</summary>
    public static RecordVersion Empty => new() { _vector = VersionVector.Empty };

    /// <summary>The version equal to <paramref name="vector"/>.</summary>
    public static RecordVersion From(VersionVector vector)
    {
        var version = new RecordVersion();
        version.Set(vector);
        return version;
    }

    /// <summary>Number of origins.</summary>
    public readonly int Count => _count == Spilled ? _vector!.Count : _count;

    /// <summary>Replaces the version with <paramref name="vector"/>.</summary>
    public void Set(VersionVector vector)
    {
        var count = vector.Count;
        if (count > 2)
        {
            _count = Spilled;
            _vector = vector;
            return;
        }

        var origins = vector.Origins;
        var sequences = vector.Sequences;
        _count = count;
        _origin0 = count > 0 ? origins[0] : default;
        _sequence0 = count > 0 ? sequences[0] : 0;
        _origin1 = count > 1 ? origins[1] : default;
        _sequence1 = count > 1 ? sequences[1] : 0;
        _vector = vector;
    }

    /// <summary>True when <paramref name="vector"/> is the instance this version last handed out (so equal to it).</summary>
    public readonly bool IsCachedVector(VersionVector vector) => ReferenceEquals(_vector, vector);

    /// <summary>The highest sequence of <paramref name="origin"/>, 0 when none.</summary>
    public readonly long Get(ReplicaId origin)
    {
        if (_count == Spilled)
        {
            return _vector!.Get(origin);
        }

        if (_count > 0 && _origin0 == origin)
        {
            return _sequence0;
        }

        return _count > 1 && _origin1 == origin ? _sequence1 : 0;
    }

    /// <summary>Adds <paramref name="change"/> (the pointwise max); false when the version already included it.</summary>
    public bool Add(ChangeId change)
    {
        if (change.Sequence <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(change), change.Sequence, "Change sequences start at 1.");
        }

        switch (_count)
        {
            case Spilled:
                var with = _vector!.With(change);
                if (ReferenceEquals(with, _vector))
                {
                    return false;
                }

                _vector = with;
                return true;
            case 0:
                _origin0 = change.Origin;
                _sequence0 = change.Sequence;
                _count = 1;
                _vector = null;
                return true;
        }

        if (_origin0 == change.Origin)
        {
            if (_sequence0 >= change.Sequence)
            {
                return false;
            }

            _sequence0 = change.Sequence;
            _vector = null;
            return true;
        }

        if (_count == 2 && _origin1 == change.Origin)
        {
            if (_sequence1 >= change.Sequence)
            {
                return false;
            }

            _sequence1 = change.Sequence;
            _vector = null;
            return true;
        }

        if (_count == 1)
        {
            if (change.Origin.CompareTo(_origin0) > 0)
            {
                _origin1 = change.Origin;
                _sequence1 = change.Sequence;
            }
            else
            {
                _origin1 = _origin0;
                _sequence1 = _sequence0;
                _origin0 = change.Origin;
                _sequence0 = change.Sequence;
            }

            _count = 2;
            _vector = null;
            return true;
        }

        // A third origin: from now on the version is a vector.
        _vector = ToVector().With(change);
        _count = Spilled;
        return true;
    }

    /// <summary>True when this version has seen everything <paramref name="other"/> has.</summary>
    public readonly bool Covers(VersionVector other)
    {
        if (_count == Spilled || ReferenceEquals(_vector, other))
        {
            return _vector!.Covers(other);
        }

        var origins = other.Origins;
        if (origins.Length > _count)
        {
            return false;
        }

        var sequences = other.Sequences;
        for (var i = 0; i < origins.Length; i++)
        {
            if (Get(origins[i]) < sequences[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="other"/> has seen everything this version has.</summary>
    public readonly bool IsCoveredBy(VersionVector other)
    {
        if (_count == Spilled || ReferenceEquals(_vector, other))
        {
            return other.Covers(_vector!);
        }

        return (_count < 1 || other.Get(_origin0) >= _sequence0) && (_count < 2 || other.Get(_origin1) >= _sequence1);
    }

    /// <summary>The version as a vector: the one handed out last when nothing changed since, else a new one (kept).</summary>
    public VersionVector ToVector()
    {
        if (_vector is { } vector)
        {
            return vector;
        }

        vector = _count switch
        {
            0 => VersionVector.Empty,
            1 => VersionVector.Single(_origin0, _sequence0),
            _ => VersionVector.FromSorted([_origin0, _origin1], [_sequence0, _sequence1]),
        };
        _vector = vector;
        return vector;
    }
}
