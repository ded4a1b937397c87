using System.Buffers;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using MessagePack;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// A MessagePack reader that accepts only the canonical form: every integer, length and header in its
/// shortest encoding, floats as float64, strings as strict UTF-8, map keys strictly ascending.
/// Anything else throws <see cref="DecodeException"/> with the byte offset.
/// </summary>
internal ref struct CanonicalReader
{
    private MessagePackReader _reader;
    private readonly long _offset;

    public CanonicalReader(ReadOnlyMemory<byte> bytes, long offset)
    {
        _reader = new MessagePackReader(bytes);
        _offset = offset;
    }

    public readonly long Position => _offset + _reader.Consumed;

    public readonly bool End => _reader.End;

    public readonly DecodeException Error(DecodeErrorKind kind, string detail) => new(kind, detail, Position);

    public void ExpectEnd()
    {
        if (!_reader.End)
        {
            throw Error(DecodeErrorKind.TrailingBytes, $"{_reader.Sequence.Length - _reader.Consumed} bytes after the end of the value");
        }
    }

    private readonly byte Peek()
    {
        if (_reader.End)
        {
            throw Error(DecodeErrorKind.Truncated, "the bytes end before the value does");
        }

        return _reader.NextCode;
    }

    public readonly bool NextIsNil => Peek() == MessagePackCode.Nil;

    public void ReadNil()
    {
        if (Peek() != MessagePackCode.Nil)
        {
            throw Error(DecodeErrorKind.Malformed, "expected nil");
        }

        _reader.ReadNil();
    }

    public int ReadArrayHeader(int? expected = null, int max = int.MaxValue)
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.Array)
        {
            throw Error(DecodeErrorKind.Malformed, "expected an array");
        }

        var count = _reader.ReadArrayHeader();
        if (code != ArrayCode(count))
        {
            throw Error(DecodeErrorKind.NonCanonical, "array length not in its shortest form");
        }

        if (expected is { } n && count != n)
        {
            throw Error(DecodeErrorKind.Malformed, $"expected an array of {n} elements, found {count}");
        }

        if (count > max)
        {
            throw Error(DecodeErrorKind.TooLarge, $"an array of {count} elements is more than the {max} allowed");
        }

        return count;
    }

    public int ReadMapHeader(int max = int.MaxValue)
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.Map)
        {
            throw Error(DecodeErrorKind.Malformed, "expected a map");
        }

        var count = _reader.ReadMapHeader();
        if (code != MapCode(count))
        {
            throw Error(DecodeErrorKind.NonCanonical, "map length not in its shortest form");
        }

        if (count > max)
        {
            throw Error(DecodeErrorKind.TooLarge, $"a map of {count} entries is more than the {max} allowed");
        }

        return count;
    }

    public long ReadInt64()
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.Integer)
        {
            throw Error(DecodeErrorKind.Malformed, "expected an integer");
        }

        long value;
        if (code == MessagePackCode.UInt64)
        {
            var unsigned = _reader.ReadUInt64();
            if (unsigned > long.MaxValue)
            {
                throw Error(DecodeErrorKind.InvalidValue, "integer above the int64 range");
            }

            value = (long)unsigned;
        }
        else
        {
            value = _reader.ReadInt64();
        }

        if (code != IntCode(value))
        {
            throw Error(DecodeErrorKind.NonCanonical, $"integer {value} not in its shortest form");
        }

        return value;
    }

    public ulong ReadUInt64()
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.Integer)
        {
            throw Error(DecodeErrorKind.Malformed, "expected an unsigned integer");
        }

        if (code is MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64 || code >= MessagePackCode.MinNegativeFixInt)
        {
            throw Error(DecodeErrorKind.Malformed, "expected an unsigned integer");
        }

        var value = _reader.ReadUInt64();
        if (code != UIntCode(value))
        {
            throw Error(DecodeErrorKind.NonCanonical, $"integer {value} not in its shortest form");
        }

        return value;
    }

    public long ReadPositive(string what)
    {
        var value = ReadInt64();
        if (value < 1)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"{what} must be at least 1, found {value}");
        }

        return value;
    }

    public string ReadString()
    {
        var sequence = ReadStringBytes(out var start);
        return DecodeUtf8(sequence, start);
    }

    private ReadOnlySequence<byte> ReadStringBytes(out long start)
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.String)
        {
            throw Error(DecodeErrorKind.Malformed, "expected a string");
        }

        start = Position;
        var sequence = _reader.ReadStringSequence() ?? throw Error(DecodeErrorKind.Malformed, "expected a string");
        if (code != StringCode(sequence.Length))
        {
            throw new DecodeException(DecodeErrorKind.NonCanonical, "string length not in its shortest form", start);
        }

        return sequence;
    }

    private static string DecodeUtf8(ReadOnlySequence<byte> sequence, long start)
    {
        try
        {
            return sequence.IsSingleSegment ? Value.StrictUtf8.GetString(sequence.FirstSpan) : Value.StrictUtf8.GetString(sequence.ToArray());
        }
        catch (ArgumentException ex)
        {
            throw new DecodeException(DecodeErrorKind.InvalidValue, "string is not valid UTF-8", start, ex);
        }
    }

    public byte[] ReadBytes()
    {
        var code = Peek();
        if (MessagePackCode.ToMessagePackType(code) != MessagePackType.Binary)
        {
            throw Error(DecodeErrorKind.Malformed, "expected bytes");
        }

        var sequence = _reader.ReadBytes() ?? throw Error(DecodeErrorKind.Malformed, "expected bytes");
        if (code != BinaryCode(sequence.Length))
        {
            throw Error(DecodeErrorKind.NonCanonical, "byte-string length not in its shortest form");
        }

        return sequence.ToArray();
    }

    public ReplicaId ReadReplicaId()
    {
        var code = Peek();
        if (code != MessagePackCode.Bin8)
        {
            throw Error(DecodeErrorKind.Malformed, "expected a 16-byte replica id");
        }

        var sequence = _reader.ReadBytes() ?? throw Error(DecodeErrorKind.Malformed, "expected a replica id");
        if (sequence.Length != ReplicaId.Size)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"a replica id is 16 bytes, found {sequence.Length}");
        }

        Span<byte> bytes = stackalloc byte[ReplicaId.Size];
        sequence.CopyTo(bytes);
        var id = ReplicaId.FromBytes(bytes);
        if (id.IsEmpty)
        {
            throw Error(DecodeErrorKind.InvalidValue, "the all-zero replica id is not an origin");
        }

        return id;
    }

    public ulong ReadStampTime()
    {
        var time = ReadUInt64();
        if ((time >> 16) > Stamp.MaxMilliseconds)
        {
            throw Error(DecodeErrorKind.InvalidValue, "stamp out of range");
        }

        return time;
    }

    public Value ReadValue()
    {
        var code = Peek();
        switch (MessagePackCode.ToMessagePackType(code))
        {
            case MessagePackType.Nil:
                _reader.ReadNil();
                return Value.Null;
            case MessagePackType.Boolean:
                return Value.Bool(_reader.ReadBoolean());
            case MessagePackType.Integer:
                return Value.Int64(ReadInt64());
            case MessagePackType.Float:
                if (code != MessagePackCode.Float64)
                {
                    throw Error(DecodeErrorKind.NonCanonical, "floats are written as float64");
                }

                return Value.Float64(_reader.ReadDouble());
            case MessagePackType.String:
                return Value.StringUnchecked(ReadString());
            case MessagePackType.Binary:
                return Value.BytesOwned(ReadBytes());
            case MessagePackType.Extension:
                if (code != MessagePackCode.FixExt8)
                {
                    throw Error(DecodeErrorKind.Malformed, "unknown extension value");
                }

                var header = _reader.ReadExtensionFormatHeader();
                if (header.TypeCode != CanonicalWriting.TimestampExtension)
                {
                    throw Error(DecodeErrorKind.Malformed, $"unknown extension type {header.TypeCode}");
                }

                var raw = _reader.ReadRaw(8);
                Span<byte> buffer = stackalloc byte[8];
                raw.CopyTo(buffer);
                return Value.TimestampMilliseconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(buffer));
            default:
                throw Error(DecodeErrorKind.Malformed, "expected a value");
        }
    }

    public VersionVector ReadVersionVector()
    {
        var count = ReadMapHeader(max: 1 << 16);
        if (count == 0)
        {
            return VersionVector.Empty;
        }

        if (count == 1)
        {
            // The common one-origin vector: no arrays.
            var origin = ReadReplicaId();
            return VersionVector.Single(origin, ReadPositive("a version vector sequence"));
        }

        var origins = new ReplicaId[count];
        var sequences = new long[count];
        for (var i = 0; i < count; i++)
        {
            origins[i] = ReadReplicaId();
            if (i > 0)
            {
                var order = origins[i - 1].CompareTo(origins[i]);
                if (order == 0)
                {
                    throw Error(DecodeErrorKind.DuplicateKey, $"origin {origins[i]} twice in a version vector");
                }

                if (order > 0)
                {
                    throw Error(DecodeErrorKind.NonCanonical, "version vector origins not in ascending order");
                }
            }

            sequences[i] = ReadPositive("a version vector sequence");
        }

        return VersionVector.FromSorted(origins, sequences);
    }

    /// <summary>A name (collection, field, action): a string that <see cref="IdentifierRules.CheckName"/> accepts, wrapped by <paramref name="create"/> without checking it again.</summary>
    public T ReadName<T>(Func<string, T> create, string what)
    {
        var sequence = ReadStringBytes(out var start);
        if (sequence.IsSingleSegment && KnownNames.Find(sequence.FirstSpan) is { } known)
        {
            return create(known);
        }

        var text = DecodeUtf8(sequence, start);
        if (IdentifierRules.CheckName(text) is { } rule)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"{what} '{text}': {rule}");
        }

        if (sequence.IsSingleSegment)
        {
            KnownNames.Add(sequence.FirstSpan, text);
        }

        return create(text);
    }

    public RecordId ReadRecordId()
    {
        var text = ReadString();
        if (IdentifierRules.CheckRecordId(text) is { } rule)
        {
            throw Error(DecodeErrorKind.InvalidValue, $"record id '{text}': {rule}");
        }

        return RecordId.FromValidated(text);
    }

    /// <summary>Checks that <paramref name="current"/> follows <paramref name="previous"/> strictly in a sorted map.</summary>
    public readonly void CheckAscending(string previous, string current, string what)
    {
        var order = string.CompareOrdinal(previous, current);
        if (order == 0)
        {
            throw Error(DecodeErrorKind.DuplicateKey, $"{what} '{current}' twice");
        }

        if (order > 0)
        {
            throw Error(DecodeErrorKind.NonCanonical, $"{what}s not in ascending order ('{previous}' before '{current}')");
        }
    }

    public static byte IntCode(long value) => value >= 0
        ? UIntCode((ulong)value)
        : value >= -32 ? unchecked((byte)value)
        : value >= sbyte.MinValue ? MessagePackCode.Int8
        : value >= short.MinValue ? MessagePackCode.Int16
        : value >= int.MinValue ? MessagePackCode.Int32
        : MessagePackCode.Int64;

    public static byte UIntCode(ulong value) =>
        value <= 127 ? (byte)value
        : value <= byte.MaxValue ? MessagePackCode.UInt8
        : value <= ushort.MaxValue ? MessagePackCode.UInt16
        : value <= uint.MaxValue ? MessagePackCode.UInt32
        : MessagePackCode.UInt64;

    private static byte StringCode(long length) =>
        length <= 31 ? (byte)(MessagePackCode.MinFixStr | length)
        : length <= byte.MaxValue ? MessagePackCode.Str8
        : length <= ushort.MaxValue ? MessagePackCode.Str16
        : MessagePackCode.Str32;

    private static byte BinaryCode(long length) =>
        length <= byte.MaxValue ? MessagePackCode.Bin8
        : length <= ushort.MaxValue ? MessagePackCode.Bin16
        : MessagePackCode.Bin32;

    private static byte ArrayCode(int count) =>
        count <= 15 ? (byte)(MessagePackCode.MinFixArray | count)
        : count <= ushort.MaxValue ? MessagePackCode.Array16
        : MessagePackCode.Array32;

    private static byte MapCode(int count) =>
        count <= 15 ? (byte)(MessagePackCode.MinFixMap | count)
        : count <= ushort.MaxValue ? MessagePackCode.Map16
        : MessagePackCode.Map32;
}
