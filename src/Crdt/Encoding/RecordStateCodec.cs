using System.Buffers;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using MessagePack;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The one canonical encoding of a <see cref="RecordState"/>: the format byte
/// <see cref="FormatByte.RecordStateV1"/>, then <c>[collection, record id, version, tombstone, fields, journal]</c>:
/// tombstone nil or <c>[stamp, origin, sequence]</c>; fields a map name → <c>[value, stamp, origin, sequence, seen]</c>
/// in ascending name order; journal an array of <c>[field, value, stamp, origin, sequence]</c> in journal order.
/// </summary>
/// <remarks>
/// Laws: round trip to the same bytes; equal states give equal bytes (this is what "equal records" means
/// in the convergence properties); decoding is all or nothing, refuses non-canonical input and states that
/// break the record's invariants (fields or journal on a deleted record; a field writer, journal entry or
/// delete the version does not include; a journal entry for a missing field, one its field has seen, or one
/// that beats its field's winner).
/// </remarks>
public static class RecordStateCodec
{
    /// <summary>Encodes a record state.</summary>
    public static byte[] Encode(RecordState state)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Encode(state, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a record state into <paramref name="output"/>.</summary>
    public static void Encode(RecordState state, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = FormatByte.RecordStateV1;
        output.Advance(1);
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(6);
        writer.Write(state.Collection.Text);
        writer.Write(state.Id.Text);
        CanonicalWriting.WriteVersionVector(ref writer, state.Version);
        if (state.Tombstone is { } tombstone)
        {
            writer.WriteArrayHeader(3);
            writer.Write(tombstone.Stamp.Time);
            CanonicalWriting.WriteReplicaId(ref writer, tombstone.DeletedBy.Origin);
            writer.Write(tombstone.DeletedBy.Sequence);
        }
        else
        {
            writer.WriteNil();
        }

        var fields = state.SortedFields();
        writer.WriteMapHeader(fields.Length);
        foreach (var (name, entry) in fields)
        {
            writer.Write(name.Text);
            writer.WriteArrayHeader(5);
            CanonicalWriting.WriteValue(ref writer, entry.Value);
            writer.Write(entry.Stamp.Time);
            CanonicalWriting.WriteReplicaId(ref writer, entry.Writer.Origin);
            writer.Write(entry.Writer.Sequence);
            CanonicalWriting.WriteVersionVector(ref writer, entry.Seen);
        }

        writer.WriteArrayHeader(state.Journal.Count);
        foreach (var entry in state.Journal)
        {
            writer.WriteArrayHeader(5);
            writer.Write(entry.Field.Text);
            CanonicalWriting.WriteValue(ref writer, entry.Value);
            writer.Write(entry.Stamp.Time);
            CanonicalWriting.WriteReplicaId(ref writer, entry.Writer.Origin);
            writer.Write(entry.Writer.Sequence);
        }

        writer.Flush();
    }

    /// <summary>Decodes a record state.</summary>
    /// <exception cref="DecodeException">The bytes are not exactly one canonical, well-formed record state.</exception>
    public static RecordState Decode(ReadOnlyMemory<byte> bytes)
    {
        FormatByte.Check(bytes.Span, FormatByte.RecordStateV1, "a record state");
        try
        {
            var reader = new CanonicalReader(bytes[1..], 1);
            var state = ReadBody(ref reader);
            reader.ExpectEnd();
            return state;
        }
        catch (Exception ex) when (DecodeGuard.IsDecodeFailure(ex))
        {
            throw DecodeGuard.Translate(ex);
        }
    }

    /// <summary>Decodes a record state, or returns the typed error.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out RecordState? state, out DecodeException? error)
    {
        try
        {
            state = Decode(bytes);
            error = null;
            return true;
        }
        catch (DecodeException ex)
        {
            state = null;
            error = ex;
            return false;
        }
    }

    private static RecordState ReadBody(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(6);
        var collection = reader.ReadName(CollectionName.FromValidated, "collection name");
        var id = reader.ReadRecordId();
        var version = reader.ReadVersionVector();
        Tombstone? tombstone = null;
        if (reader.NextIsNil)
        {
            reader.ReadNil();
        }
        else
        {
            reader.ReadArrayHeader(3);
            var time = reader.ReadStampTime();
            var origin = reader.ReadReplicaId();
            var sequence = reader.ReadPositive("a change sequence");
            tombstone = new Tombstone(new Stamp(time, origin), new ChangeId(origin, sequence));
            if (!version.Includes(tombstone.Value.DeletedBy))
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "the record's version does not include the delete that made its tombstone");
            }
        }

        var fieldCount = reader.ReadMapHeader(max: 1 << 16);
        var fields = new Dictionary<FieldName, FieldEntry>(fieldCount);
        string? previous = null;
        for (var i = 0; i < fieldCount; i++)
        {
            var name = reader.ReadName(FieldName.FromValidated, "field name");
            if (previous is not null)
            {
                reader.CheckAscending(previous, name.Text, "field name");
            }

            previous = name.Text;
            reader.ReadArrayHeader(5);
            var value = reader.ReadValue();
            var time = reader.ReadStampTime();
            var origin = reader.ReadReplicaId();
            var sequence = reader.ReadPositive("a change sequence");
            var seen = reader.ReadVersionVector();
            var writer = new ChangeId(origin, sequence);
            if (!version.Includes(writer))
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, $"field '{name}' was written by {writer}, which the record's version does not include");
            }

            fields.Add(name, new FieldEntry(value, new Stamp(time, origin), writer, seen));
        }

        var journalCount = reader.ReadArrayHeader(max: 1 << 20);
        var journal = new JournalEntry[journalCount];
        for (var i = 0; i < journalCount; i++)
        {
            reader.ReadArrayHeader(5);
            var field = reader.ReadName(FieldName.FromValidated, "field name");
            var value = reader.ReadValue();
            var time = reader.ReadStampTime();
            var origin = reader.ReadReplicaId();
            var sequence = reader.ReadPositive("a change sequence");
            var entry = new JournalEntry(field, value, new Stamp(time, origin), new ChangeId(origin, sequence));
            if (i > 0 && journal[i - 1].CompareTo(entry) >= 0)
            {
                throw reader.Error(journal[i - 1].CompareTo(entry) == 0 ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "journal entries not in strictly ascending order");
            }

            if (!fields.TryGetValue(field, out var owner) || owner.Seen.Includes(entry.Writer) || owner.Writer == entry.Writer ||
                FieldEntry.CompareWrites(entry.Value, entry.Stamp, entry.Writer, owner.Value, owner.Stamp, owner.Writer) >= 0 ||
                !version.Includes(entry.Writer))
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, $"journal entry for field '{field}' does not belong to its field's state");
            }

            journal[i] = entry;
        }

        if (tombstone is not null && (fieldCount > 0 || journalCount > 0))
        {
            throw reader.Error(DecodeErrorKind.InvalidValue, "a deleted record has no fields and no journal");
        }

        return RecordState.FromParts(collection, id, version, tombstone, fields, journal);
    }
}
