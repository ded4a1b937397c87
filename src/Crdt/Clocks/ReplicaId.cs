using System.Buffers.Binary;
using System.Globalization;

namespace CrdtSync.Crdt.Clocks;

/// <summary>
/// The identity of a replica (a device database or a relay): 128 random bits, made once and kept.
/// </summary>
/// <remarks>
/// Laws: equality is equality of the 16 bytes; the order is the unsigned big-endian order of those
/// bytes (a total order, used as the tie-break between equal clock readings). The text form is
/// 32 lowercase hex digits. <c>default</c> is the all-zero id, which is never made by
/// <see cref="Create"/> and is refused where an origin is required.
/// </remarks>
public readonly struct ReplicaId : IEquatable<ReplicaId>, IComparable<ReplicaId>
{
    /// <summary>Number of bytes in the binary form.</summary>
    public const int Size = 16;

    /// <summary>Creates an id from its two big-endian halves.</summary>
    public ReplicaId(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    /// <summary>The first 8 bytes, big-endian.</summary>
    public ulong High { get; }

    /// <summary>The last 8 bytes, big-endian.</summary>
    public ulong Low { get; }

    /// <summary>True for the all-zero id.</summary>
    public bool IsEmpty => High == 0 && Low == 0;

    /// <summary>Makes a new random id from the injected random source. Never returns the all-zero id.</summary>
    public static ReplicaId Create(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[Size];
        ReplicaId id;
        do
        {
            random.NextBytes(bytes);
            id = FromBytes(bytes);
        }
        while (id.IsEmpty);
        return id;
    }

    /// <summary>
    /// The id of a numbered peer: 16 bytes holding <paramref name="peerNumber"/> big-endian, as the
    /// benchmark workloads and the simulator use them.
    /// </summary>
    public static ReplicaId FromPeerNumber(ulong peerNumber) => new(0, peerNumber);

    /// <summary>Reads an id from exactly 16 bytes.</summary>
    public static ReplicaId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A replica id is exactly {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new ReplicaId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Parses the 32-hex-digit text form.</summary>
    public static ReplicaId Parse(string text)
    {
        if (!TryParse(text, out var id))
        {
            throw new FormatException($"A replica id is 32 hex digits; got '{text}'.");
        }

        return id;
    }

    /// <summary>Parses the 32-hex-digit text form; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string? text, out ReplicaId id)
    {
        id = default;
        if (text is null || text.Length != 32)
        {
            return false;
        }

        if (!ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high) ||
            !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
        {
            return false;
        }

        id = new ReplicaId(high, low);
        return true;
    }

    /// <summary>Writes the 16 bytes to <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    /// <summary>The 16 bytes as a new array.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <inheritdoc />
    public bool Equals(ReplicaId other) => High == other.High && Low == other.Low;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ReplicaId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(High, Low);

    /// <inheritdoc />
    public int CompareTo(ReplicaId other)
    {
        var byHigh = High.CompareTo(other.High);
        return byHigh != 0 ? byHigh : Low.CompareTo(other.Low);
    }

    /// <summary>32 lowercase hex digits.</summary>
    public override string ToString() => High.ToString("x16", CultureInfo.InvariantCulture) + Low.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Equality.</summary>
    public static bool operator ==(ReplicaId left, ReplicaId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ReplicaId left, ReplicaId right) => !left.Equals(right);

    /// <summary>Order.</summary>
    public static bool operator <(ReplicaId left, ReplicaId right) => left.CompareTo(right) < 0;

    /// <summary>Order.</summary>
    public static bool operator >(ReplicaId left, ReplicaId right) => left.CompareTo(right) > 0;

    /// <summary>Order.</summary>
    public static bool operator <=(ReplicaId left, ReplicaId right) => left.CompareTo(right) <= 0;

    /// <summary>Order.</summary>
    public static bool operator >=(ReplicaId left, ReplicaId right) => left.CompareTo(right) >= 0;
}
