using System.Buffers;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using MessagePack;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The one canonical encoding of a <see cref="Change"/>: the format byte <see cref="FormatByte.ChangeV1"/>,
/// then a MessagePack array <c>[origin, sequence, stamp, collection, record id, kind, base, payload]</c>:
/// origin a 16-byte bin, stamp the packed 64-bit time (the stamp's replica is the origin), base a map
/// origin → sequence in ascending origin order, payload a map field → value in ascending name order
/// (upsert), <c>[action name, arguments map]</c> (action) or nil (delete).
/// </summary>
/// <remarks>
/// Laws: <c>Decode(Encode(c))</c> re-encodes to the same bytes; equal changes give equal bytes; decoding is
/// all or nothing and anything but the canonical form (longer integer or length forms, float32, unsorted
/// or duplicate keys, trailing bytes, invalid UTF-8 or identifiers, unknown version) is a
/// <see cref="DecodeException"/>.
/// </remarks>
public static class ChangeCodec
{
    /// <summary>Encodes a change.</summary>
    public static byte[] Encode(Change change)
    {
        // One scratch buffer per thread: encoding a change then allocates only its result.
        var buffer = t_scratch ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        Encode(change, buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > ScratchCapacityMax)
        {
            t_scratch = null;
        }

        return bytes;
    }

    private const int ScratchCapacityMax = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Encodes a change into <paramref name="output"/>.</summary>
    public static void Encode(Change change, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = FormatByte.ChangeV1;
        output.Advance(1);
        var writer = new MessagePackWriter(output);
        WriteBody(ref writer, change);
        writer.Flush();
    }

    /// <summary>Decodes a change.</summary>
    /// <exception cref="DecodeException">The bytes are not exactly one canonical change.</exception>
    public static Change Decode(ReadOnlyMemory<byte> bytes)
    {
        FormatByte.Check(bytes.Span, FormatByte.ChangeV1, "a change");
        try
        {
            var reader = new CanonicalReader(bytes[1..], 1);
            var change = ReadBody(ref reader);
            reader.ExpectEnd();
            return change;
        }
        catch (Exception ex) when (DecodeGuard.IsDecodeFailure(ex))
        {
            throw DecodeGuard.Translate(ex);
        }
    }

    /// <summary>Decodes a change, or returns the typed error.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out Change? change, out DecodeException? error)
    {
        try
        {
            change = Decode(bytes);
            error = null;
            return true;
        }
        catch (DecodeException ex)
        {
            change = null;
            error = ex;
            return false;
        }
    }

    internal static void WriteBody(ref MessagePackWriter writer, Change change)
    {
        writer.WriteArrayHeader(8);
        CanonicalWriting.WriteReplicaId(ref writer, change.Id.Origin);
        writer.Write(change.Id.Sequence);
        writer.Write(change.Stamp.Time);
        writer.Write(change.Collection.Text);
        writer.Write(change.RecordId.Text);
        writer.Write((byte)change.Kind);
        CanonicalWriting.WriteVersionVector(ref writer, change.Base);
        switch (change.Kind)
        {
            case ChangeKind.Upsert:
                WriteFields(ref writer, change.FieldSpan);
                break;
            case ChangeKind.Action:
                writer.WriteArrayHeader(2);
                writer.Write(change.ActionName!.Value.Text);
                WriteFields(ref writer, change.FieldSpan);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    internal static Change ReadBody(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(8);
        var origin = reader.ReadReplicaId();
        var sequence = reader.ReadPositive("a change sequence");
        var time = reader.ReadStampTime();
        var collection = reader.ReadName(CollectionName.FromValidated, "collection name");
        var recordId = reader.ReadRecordId();
        var kindCode = reader.ReadUInt64();
        if (kindCode > (ulong)ChangeKind.Delete)
        {
            throw reader.Error(DecodeErrorKind.Malformed, $"unknown change kind {kindCode}");
        }

        var kind = (ChangeKind)kindCode;
        var baseVersion = reader.ReadVersionVector();
        FieldValue[] fields = [];
        FieldValue single = default;
        var isSingle = false;
        ActionName? action = null;
        switch (kind)
        {
            case ChangeKind.Upsert:
                isSingle = ReadFields(ref reader, out fields, out single);
                break;
            case ChangeKind.Action:
                reader.ReadArrayHeader(2);
                action = reader.ReadName(ActionName.FromValidated, "action name");
                isSingle = ReadFields(ref reader, out fields, out single);
                break;
            default:
                reader.ReadNil();
                break;
        }

        return isSingle
            ? Change.FromParts(new(origin, sequence), new Stamp(time, origin), collection, recordId, kind, baseVersion, single, action)
            : Change.FromParts(new(origin, sequence), new Stamp(time, origin), collection, recordId, kind, baseVersion, fields, action);
    }

    private static void WriteFields(ref MessagePackWriter writer, ReadOnlySpan<FieldValue> fields)
    {
        writer.WriteMapHeader(fields.Length);
        foreach (var field in fields)
        {
            writer.Write(field.Name.Text);
            CanonicalWriting.WriteValue(ref writer, field.Value);
        }
    }

    /// <summary>Reads the fields map; true when it holds exactly one field, returned in <paramref name="single"/> without an array.</summary>
    private static bool ReadFields(ref CanonicalReader reader, out FieldValue[] fields, out FieldValue single)
    {
        var count = reader.ReadMapHeader(max: 1 << 16);
        fields = [];
        single = default;
        if (count == 1)
        {
            single = new FieldValue(reader.ReadName(FieldName.FromValidated, "field name"), reader.ReadValue());
            return true;
        }

        if (count > 0)
        {
            fields = new FieldValue[count];
        }

        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadName(FieldName.FromValidated, "field name");
            if (i > 0)
            {
                reader.CheckAscending(fields[i - 1].Name.Text, name.Text, "field name");
            }

            fields[i] = new FieldValue(name, reader.ReadValue());
        }

        return false;
    }
}
