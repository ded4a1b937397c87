namespace CrdtSync.Crdt.Clocks;

/// <summary>
/// A reading of a hybrid logical clock: 48 bits of wall-clock milliseconds since the Unix epoch and
/// a 16-bit logical counter, owned by one replica.
/// </summary>
/// <remarks>
/// Laws: stamps are totally ordered by (<see cref="Time"/>, then <see cref="Replica"/>), where
/// <see cref="Time"/> packs milliseconds above the counter so that comparing it compares
/// (milliseconds, counter). Two stamps are equal only when both parts are equal. A replica never
/// issues the same stamp twice (its clock is strictly monotonic), so within a correct system the
/// order is strict between distinct changes.
/// </remarks>
public readonly struct Stamp : IEquatable<Stamp>, IComparable<Stamp>
{
    /// <summary>The largest wall-clock millisecond a stamp can hold (2^48 - 1).</summary>
    public const long MaxMilliseconds = (1L << 48) - 1;

    /// <summary>The largest logical counter (2^16 - 1).</summary>
    public const int MaxCounter = ushort.MaxValue;

    /// <summary>Creates a stamp from its packed time and its replica.</summary>
    public Stamp(ulong time, ReplicaId replica)
    {
        Time = time;
        Replica = replica;
    }

    /// <summary>Creates a stamp from milliseconds and counter.</summary>
    public Stamp(long milliseconds, int counter, ReplicaId replica)
    {
        if ((ulong)milliseconds > MaxMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "A stamp holds 0 to 2^48-1 milliseconds since the Unix epoch.");
        }

        if ((uint)counter > MaxCounter)
        {
            throw new ArgumentOutOfRangeException(nameof(counter), counter, "A stamp's counter is 0 to 65535.");
        }

        Time = ((ulong)milliseconds << 16) | (uint)counter;
        Replica = replica;
    }

    /// <summary>Milliseconds (high 48 bits) and counter (low 16 bits) packed in one number.</summary>
    public ulong Time { get; }

    /// <summary>The replica whose clock issued the stamp; the tie-break between equal times.</summary>
    public ReplicaId Replica { get; }

    /// <summary>Wall-clock milliseconds since the Unix epoch.</summary>
    public long Milliseconds => (long)(Time >> 16);

    /// <summary>The logical counter within the millisecond.</summary>
    public int Counter => (int)(Time & 0xFFFF);

    /// <summary>The wall-clock part as a <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds);

    /// <inheritdoc />
    public int CompareTo(Stamp other)
    {
        var byTime = Time.CompareTo(other.Time);
        return byTime != 0 ? byTime : Replica.CompareTo(other.Replica);
    }

    /// <inheritdoc />
    public bool Equals(Stamp other) => Time == other.Time && Replica == other.Replica;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Stamp other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Time, Replica);

    /// <summary><c>milliseconds.counter@replica</c>.</summary>
    public override string ToString() => $"{Milliseconds}.{Counter}@{Replica}";

    /// <summary>Equality.</summary>
    public static bool operator ==(Stamp left, Stamp right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Stamp left, Stamp right) => !left.Equals(right);

    /// <summary>Order.</summary>
    public static bool operator <(Stamp left, Stamp right) => left.CompareTo(right) < 0;

    /// <summary>Order.</summary>
    public static bool operator >(Stamp left, Stamp right) => left.CompareTo(right) > 0;

    /// <summary>Order.</summary>
    public static bool operator <=(Stamp left, Stamp right) => left.CompareTo(right) <= 0;

    /// <summary>Order.</summary>
    public static bool operator >=(Stamp left, Stamp right) => left.CompareTo(right) >= 0;
}
