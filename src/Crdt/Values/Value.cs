using System.Globalization;
using System.Text;

namespace CrdtSync.Crdt.Values;

/// <summary>
/// An immutable field value: null, bool, int64, float64, string, bytes or timestamp.
/// </summary>
/// <remarks>
/// Laws: equality is by kind and content; floats compare by their bits (so NaN equals the same NaN,
/// and 0.0 differs from -0.0), which keeps "equal values have equal encodings" true. The total order
/// (<see cref="CompareTo"/>) is by kind, then content: numbers numerically (floats by <see cref="double.CompareTo(double)"/>, where every NaN sorts
/// below negative infinity, then by their bits), strings by ordinal UTF-16 order, bytes lexicographically. It is the last tie-break of
/// the merge, after stamp and change id.
/// </remarks>
public readonly struct Value : IEquatable<Value>, IComparable<Value>
{
    private readonly long _bits;
    private readonly object? _reference;

    private Value(ValueKind kind, long bits, object? reference)
    {
        Kind = kind;
        _bits = bits;
        _reference = reference;
    }

    /// <summary>The kind of value.</summary>
    public ValueKind Kind { get; }

    /// <summary>The null value (also <c>default</c>).</summary>
    public static Value Null => default;

    /// <summary>True when this is the null value.</summary>
    public bool IsNull => Kind == ValueKind.Null;

    /// <summary>A boolean value.</summary>
    public static Value Bool(bool value) => new(ValueKind.Bool, value ? 1 : 0, null);

    /// <summary>An integer value.</summary>
    public static Value Int64(long value) => new(ValueKind.Int64, value, null);

    /// <summary>A float value.</summary>
    public static Value Float64(double value) => new(ValueKind.Float64, BitConverter.DoubleToInt64Bits(value), null);

    /// <summary>A string value. The string must be valid UTF-16 (no lone surrogates), so it has one UTF-8 form.</summary>
    public static Value String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsWellFormed(value))
        {
            throw new ArgumentException("A string value must be well-formed Unicode (no lone surrogates).", nameof(value));
        }

        return new(ValueKind.String, 0, value);
    }

    /// <summary>A string value from text already known to be well-formed (decoders).</summary>
    internal static Value StringUnchecked(string value) => new(ValueKind.String, 0, value);

    /// <summary>A byte-string value (the bytes are copied).</summary>
    public static Value Bytes(ReadOnlySpan<byte> value) => new(ValueKind.Bytes, 0, value.ToArray());

    /// <summary>A byte-string value that takes ownership of <paramref name="value"/> (decoders).</summary>
    internal static Value BytesOwned(byte[] value) => new(ValueKind.Bytes, 0, value);

    /// <summary>A timestamp value, kept to the millisecond.</summary>
    public static Value Timestamp(DateTimeOffset value) => new(ValueKind.Timestamp, value.ToUnixTimeMilliseconds(), null);

    /// <summary>A timestamp value from milliseconds since the Unix epoch.</summary>
    public static Value TimestampMilliseconds(long unixMilliseconds) => new(ValueKind.Timestamp, unixMilliseconds, null);

    /// <summary>The boolean; throws when the value is not a bool.</summary>
    public bool AsBool => Kind == ValueKind.Bool ? _bits != 0 : throw WrongKind(ValueKind.Bool);

    /// <summary>The integer; throws when the value is not an int64.</summary>
    public long AsInt64 => Kind == ValueKind.Int64 ? _bits : throw WrongKind(ValueKind.Int64);

    /// <summary>The float; throws when the value is not a float64.</summary>
    public double AsFloat64 => Kind == ValueKind.Float64 ? BitConverter.Int64BitsToDouble(_bits) : throw WrongKind(ValueKind.Float64);

    /// <summary>The string; throws when the value is not a string.</summary>
    public string AsString => Kind == ValueKind.String ? (string)_reference! : throw WrongKind(ValueKind.String);

    /// <summary>The bytes; throws when the value is not bytes.</summary>
    public ReadOnlyMemory<byte> AsBytes => Kind == ValueKind.Bytes ? (byte[])_reference! : throw WrongKind(ValueKind.Bytes);

    /// <summary>The timestamp; throws when the value is not a timestamp.</summary>
    public DateTimeOffset AsTimestamp => Kind == ValueKind.Timestamp ? DateTimeOffset.FromUnixTimeMilliseconds(_bits) : throw WrongKind(ValueKind.Timestamp);

    /// <summary>Milliseconds since the Unix epoch of a timestamp value.</summary>
    public long AsTimestampMilliseconds => Kind == ValueKind.Timestamp ? _bits : throw WrongKind(ValueKind.Timestamp);

    /// <summary>The raw 64 bits of a bool, int64, float64 or timestamp (codecs).</summary>
    internal long Bits => _bits;

    /// <summary>The bytes of a bytes value without a copy (codecs).</summary>
    internal byte[] BytesArray => (byte[])_reference!;

    /// <inheritdoc />
    public bool Equals(Value other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        return Kind switch
        {
            ValueKind.Null => true,
            ValueKind.String => string.Equals((string)_reference!, (string)other._reference!, StringComparison.Ordinal),
            ValueKind.Bytes => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            _ => _bits == other._bits,
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Kind switch
    {
        ValueKind.Null => 0,
        ValueKind.String => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode((string)_reference!)),
        ValueKind.Bytes => HashBytes((byte[])_reference!),
        _ => HashCode.Combine(Kind, _bits),
    };

    /// <inheritdoc />
    public int CompareTo(Value other)
    {
        if (Kind != other.Kind)
        {
            return Kind.CompareTo(other.Kind);
        }

        return Kind switch
        {
            ValueKind.Null => 0,
            ValueKind.Float64 => AsFloat64.CompareTo(other.AsFloat64) is var c && c != 0 ? c : _bits.CompareTo(other._bits),
            ValueKind.String => string.CompareOrdinal((string)_reference!, (string)other._reference!),
            ValueKind.Bytes => ((byte[])_reference!).AsSpan().SequenceCompareTo((byte[])other._reference!),
            _ => _bits.CompareTo(other._bits),
        };
    }

    /// <summary>A short text form for logs and tables.</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => AsBool ? "true" : "false",
        ValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        ValueKind.Float64 => AsFloat64.ToString("R", CultureInfo.InvariantCulture),
        ValueKind.String => (string)_reference!,
        ValueKind.Bytes => "0x" + Convert.ToHexString((byte[])_reference!),
        // A timestamp holds any int64 of milliseconds, more than DateTimeOffset can show: fall back to the number
        // rather than throw from ToString (found by Value_ToString_IsTotal).
        ValueKind.Timestamp => _bits is >= TimestampMillisecondsShowableMin and <= TimestampMillisecondsShowableMax
            ? AsTimestamp.ToString("O", CultureInfo.InvariantCulture)
            : _bits.ToString(CultureInfo.InvariantCulture) + " ms since the Unix epoch",
        _ => Kind.ToString(),
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(Value left, Value right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Value left, Value right) => !left.Equals(right);

    /// <summary>Order.</summary>
    public static bool operator <(Value left, Value right) => left.CompareTo(right) < 0;

    /// <summary>Order.</summary>
    public static bool operator >(Value left, Value right) => left.CompareTo(right) > 0;

    /// <summary>Order.</summary>
    public static bool operator <=(Value left, Value right) => left.CompareTo(right) <= 0;

    /// <summary>Order.</summary>
    public static bool operator >=(Value left, Value right) => left.CompareTo(right) >= 0;

    // The Unix milliseconds of DateTimeOffset.MinValue and DateTimeOffset.MaxValue.
    private const long TimestampMillisecondsShowableMin = -62_135_596_800_000;
    private const long TimestampMillisecondsShowableMax = 253_402_300_799_999;

    private InvalidOperationException WrongKind(ValueKind wanted) => new($"The value is {Kind}, not {wanted}.");

    private static int HashBytes(byte[] bytes)
    {
        var hash = new HashCode();
        hash.Add(ValueKind.Bytes);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    internal static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
