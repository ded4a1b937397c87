using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The primitives of the compact formats (<see cref="ChangeBatchCodec"/>, <see cref="SnapshotCodec"/>):
/// unsigned LEB128 varints in their shortest form, zigzag for signed numbers, 16-byte replica ids,
/// length-prefixed strict UTF-8, and tagged values.
/// </summary>
/// <remarks>
/// Value codes (3 bits): 0 null, 1 false, 2 true, 3 int64 (zigzag varint), 4 float64 (8 bytes, big-endian
/// IEEE bits), 5 string (varint byte length, UTF-8), 6 bytes (varint length, bytes), 7 timestamp (zigzag
/// varint milliseconds). Every value has exactly one form. A stamp is coded against a previous packed time
/// <c>p</c>: varint <c>zigzag(ms - ms(p)) * 2 + (counter != 0)</c>, then the counter (1..65535) as a
/// varint when the flag is set.
/// </remarks>
internal sealed class CompactWriter
{
    private byte[] _buffer;
    private int _length;

    public CompactWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void CopyTo(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(_length);
        WrittenSpan.CopyTo(span);
        output.Advance(_length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Grow(count);
        }

        return _buffer.AsSpan(_length, count);
    }

    private void Grow(int count)
    {
        var size = Math.Max(_buffer.Length * 2, _length + count);
        Array.Resize(ref _buffer, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (_length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_length++] = value;
    }

    public void WriteVarUInt(ulong value)
    {
        if (_length + 10 > _buffer.Length)
        {
            Grow(10);
        }

        var buffer = _buffer;
        var position = _length;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[position++] = (byte)value;
        _length = position;
    }

    public void WriteVarInt(long value) => WriteVarUInt(ZigZag(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteReplicaId(ReplicaId id)
    {
        id.WriteTo(Reserve(ReplicaId.Size));
        _length += ReplicaId.Size;
    }

    /// <summary>Varint UTF-8 byte length, then the bytes.</summary>
    public void WriteString(string text)
    {
        var byteCount = Value.StrictUtf8.GetByteCount(text);
        WriteVarUInt((ulong)byteCount);
        Value.StrictUtf8.GetBytes(text, Reserve(byteCount));
        _length += byteCount;
    }

    /// <summary>Writes the ASCII characters of <paramref name="text"/> from <paramref name="start"/> (identifiers are ASCII).</summary>
    public void WriteAsciiSuffix(string text, int start)
    {
        var count = text.Length - start;
        WriteVarUInt((ulong)count);
        var span = Reserve(count);
        for (var i = 0; i < count; i++)
        {
            span[i] = (byte)text[start + i];
        }

        _length += count;
    }

    public static int ValueCode(Value value) => value.Kind switch
    {
        ValueKind.Null => 0,
        ValueKind.Bool => value.Bits != 0 ? 2 : 1,
        ValueKind.Int64 => 3,
        ValueKind.Float64 => 4,
        ValueKind.String => 5,
        ValueKind.Bytes => 6,
        ValueKind.Timestamp => 7,
        _ => throw new InvalidOperationException($"Unknown value kind {value.Kind}."),
    };

    /// <summary>Writes what follows the value code.</summary>
    public void WriteValuePayload(Value value)
    {
        switch (value.Kind)
        {
            case ValueKind.Int64:
            case ValueKind.Timestamp:
                WriteVarInt(value.Bits);
                break;
            case ValueKind.Float64:
                BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value.Bits);
                _length += 8;
                break;
            case ValueKind.String:
                WriteString(value.AsString);
                break;
            case ValueKind.Bytes:
                WriteVarUInt((ulong)value.BytesArray.Length);
                WriteBytes(value.BytesArray);
                break;
            default:
                break;
        }
    }

    /// <summary>Writes <paramref name="time"/> against <paramref name="previousTime"/> and makes it the new previous.</summary>
    public void WriteStamp(ref ulong previousTime, ulong time)
    {
        var delta = (long)(time >> 16) - (long)(previousTime >> 16);
        var counter = (uint)(time & 0xFFFF);
        WriteVarUInt((ZigZag(delta) << 1) | (counter != 0 ? 1UL : 0UL));
        if (counter != 0)
        {
            WriteVarUInt(counter);
        }

        previousTime = time;
    }
}

/// <summary>Reads what <see cref="CompactWriter"/> writes, accepting only the shortest forms; every failure is a <see cref="DecodeException"/> with the byte offset.</summary>
internal ref struct CompactReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _offset;
    private int _position;

    public CompactReader(ReadOnlySpan<byte> bytes, int offset)
    {
        _bytes = bytes;
        _offset = offset;
        _position = 0;
    }

    public readonly int Position => _offset + _position;

    public readonly int Remaining => _bytes.Length - _position;

    public readonly DecodeException Error(DecodeErrorKind kind, string detail) => new(kind, detail, Position);

    public readonly void ExpectEnd()
    {
        if (_position != _bytes.Length)
        {
            throw Error(DecodeErrorKind.TrailingBytes, $"{_bytes.Length - _position} bytes after the end of the value");
        }
    }

    private readonly DecodeException Truncated() => Error(DecodeErrorKind.Truncated, "the bytes end before the value does");

    public byte ReadByte()
    {
        if (_position >= _bytes.Length)
        {
            throw Truncated();
        }

        return _bytes[_position++];
    }

    public ulong ReadVarUInt()
    {
        var bytes = _bytes;
        var position = _position;
        if (position < bytes.Length && bytes[position] < 0x80)
        {
            _position = position + 1;
            return bytes[position];
        }

        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (position >= bytes.Length)
            {
                throw Truncated();
            }

            var b = bytes[position++];
            if (shift == 63 && b > 1)
            {
                _position = position - 1;
                throw Error(DecodeErrorKind.InvalidValue, "varint above 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (b == 0 && shift > 0)
                {
                    _position = position - 1;
                    throw Error(DecodeErrorKind.NonCanonical, "varint not in its shortest form");
                }

                _position = position;
                return result;
            }

            shift += 7;
        }
    }

    public long ReadVarInt()
    {
        var raw = ReadVarUInt();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>An unsigned varint that must be at most <paramref name="max"/>.</summary>
    public int ReadBounded(int max, string what)
    {
        var value = ReadVarUInt();
        if (max < 0 || value > (ulong)max)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"{what} {value} is out of range (at most {max})");
        }

        return (int)value;
    }

    /// <summary>A count of items that each take at least <paramref name="minimumBytes"/> bytes, so it cannot pass what remains.</summary>
    public int ReadCount(int minimumBytes, string what)
    {
        var value = ReadVarUInt();
        if (value > (ulong)(Remaining / Math.Max(minimumBytes, 1)))
        {
            throw Error(DecodeErrorKind.TooLarge, $"{value} {what} cannot fit in the {Remaining} bytes left");
        }

        return (int)value;
    }

    public ReadOnlySpan<byte> ReadSpan(int count)
    {
        if (count > _bytes.Length - _position)
        {
            throw Truncated();
        }

        var span = _bytes.Slice(_position, count);
        _position += count;
        return span;
    }

    public ReplicaId ReadReplicaId()
    {
        var id = ReplicaId.FromBytes(ReadSpan(ReplicaId.Size));
        if (id.IsEmpty)
        {
            throw Error(DecodeErrorKind.InvalidValue, "the all-zero replica id is not an origin");
        }

        return id;
    }

    public string ReadString()
    {
        var length = ReadCount(1, "string bytes");
        var start = Position;
        var span = ReadSpan(length);
        try
        {
            return Value.StrictUtf8.GetString(span);
        }
        catch (ArgumentException ex)
        {
            throw new DecodeException(DecodeErrorKind.InvalidValue, "string is not valid UTF-8", start, ex);
        }
    }

    /// <summary>A name (collection, field, action): at most 64 ASCII characters of the name grammar.</summary>
    public string ReadName(string what)
    {
        var length = ReadBounded(IdentifierRules.NameLengthMax, $"the length of a {what}");
        var span = ReadSpan(length);
        var text = System.Text.Encoding.Latin1.GetString(span);
        if (IdentifierRules.CheckName(text) is { } rule)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"{what} '{text}': {rule}");
        }

        return text;
    }

    public Value ReadValue(int code)
    {
        switch (code)
        {
            case 0:
                return Value.Null;
            case 1:
                return Value.Bool(false);
            case 2:
                return Value.Bool(true);
            case 3:
                return Value.Int64(ReadVarInt());
            case 4:
                return Value.Float64(BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(ReadSpan(8))));
            case 5:
                return Value.StringUnchecked(ReadString());
            case 6:
                var length = ReadCount(1, "bytes");
                return Value.BytesOwned(ReadSpan(length).ToArray());
            default:
                return Value.TimestampMilliseconds(ReadVarInt());
        }
    }

    /// <summary>Reads a stamp written against <paramref name="previousTime"/> and makes it the new previous.</summary>
    public ulong ReadStamp(ref ulong previousTime)
    {
        var head = ReadVarUInt();
        var zig = head >> 1;
        var delta = (long)(zig >> 1) ^ -(long)(zig & 1);
        var milliseconds = (long)(previousTime >> 16) + delta;
        if (milliseconds < 0 || milliseconds > Stamp.MaxMilliseconds || delta < -Stamp.MaxMilliseconds || delta > Stamp.MaxMilliseconds)
        {
            throw Error(DecodeErrorKind.InvalidValue, "stamp out of range");
        }

        ulong counter = 0;
        if ((head & 1) != 0)
        {
            counter = ReadVarUInt();
            if (counter is 0 or > Stamp.MaxCounter)
            {
                throw Error(counter == 0 ? DecodeErrorKind.NonCanonical : DecodeErrorKind.InvalidValue, $"stamp counter {counter} out of range (1 to 65535 when present)");
            }
        }

        var time = ((ulong)milliseconds << 16) | counter;
        previousTime = time;
        return time;
    }
}
