using System.Buffers;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The compact encoding of a set of record states (what a new replica loads), format byte
/// <see cref="FormatByte.SnapshotV1"/>. Every decoded state is byte-equal under <see cref="RecordStateCodec"/>
/// to the state that was encoded.
/// </summary>
/// <remarks>
/// <para>Layout (varints are unsigned LEB128 in their shortest form; values and stamps as in the batch
/// format): the format byte; three tables, each a varint count then entries sorted strictly ascending:
/// replica ids (16 bytes), collection names, field names (varint length, ASCII); the varint number of
/// records; the records in ascending (collection, id) order, each: the varint gap of its collection index
/// from the previous record's; its id front-coded against the previous record's id (longest shared
/// prefix length, then the rest); its version (varint count, then per entry the origin index gap and the
/// sequence minus one); varint <c>field count * 2 + deleted</c>; when deleted the tombstone (writer);
/// the fields in ascending name order; the varint journal length and the journal in its order.</para>
/// <para>A writer (of a field, journal entry or tombstone) is the origin's replica index (for a field
/// shifted left by two with the field's seen mode), the zigzag of <c>version[origin] - sequence</c> and
/// the stamp against the previous stamp written anywhere in the snapshot (0 before the first). A field is
/// varint <c>field index * 8 + value code</c>, the value payload, its writer, then its seen vector by mode:
/// 0 empty; 1 equal to the previous field's seen in the same record; 2 one entry for the writer's origin
/// below the writer's sequence, written as <c>sequence - 1 - entry</c>; 3 explicit (as a version). A
/// journal entry is varint <c>field index * 8 + value code</c>, the value payload and its writer.</para>
/// <para>Laws: canonical — the encoder takes the first seen mode that applies and lists only table entries
/// it uses; the decoder refuses anything else, duplicate records, states that break a record's invariants
/// (fields or journal on a deleted record, a journal entry its field has seen) and trailing bytes, with a
/// <see cref="DecodeException"/>, the only exception it throws. Equal sets of states give equal bytes.</para>
/// </remarks>
public static class SnapshotCodec
{
    private const int SeenEmpty = 0;
    private const int SeenAsPrevious = 1;
    private const int SeenOwnOrigin = 2;
    private const int SeenExplicit = 3;

    /// <summary>Encodes a set of record states (any order; a record may appear once).</summary>
    /// <exception cref="ArgumentException">Two states are for the same record.</exception>
    public static byte[] Encode(IEnumerable<RecordState> states) => EncodeToWriter(states).ToArray();

    /// <summary>Encodes a set of record states into <paramref name="output"/>.</summary>
    public static void Encode(IEnumerable<RecordState> states, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        EncodeToWriter(states).CopyTo(output);
    }

    private static CompactWriter EncodeToWriter(IEnumerable<RecordState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        var records = states.ToArray();
        Array.Sort(records, static (a, b) =>
        {
            var byCollection = string.CompareOrdinal(a.Collection.Text, b.Collection.Text);
            return byCollection != 0 ? byCollection : string.CompareOrdinal(a.Id.Text, b.Id.Text);
        });

        var replicaIndex = new Dictionary<ReplicaId, int>();
        var collectionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var fieldIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sortedFields = new KeyValuePair<FieldName, FieldEntry>[records.Length][];
        for (var r = 0; r < records.Length; r++)
        {
            var state = records[r] ?? throw new ArgumentException("A state is null.", nameof(states));
            if (r > 0 && records[r - 1].Collection == state.Collection && records[r - 1].Id == state.Id)
            {
                throw new ArgumentException($"The record {state.Collection}/{state.Id} appears twice in one snapshot.", nameof(states));
            }

            collectionIndex.TryAdd(state.Collection.Text, 0);
            AddOrigins(replicaIndex, state.Version);
            if (state.Tombstone is { } tombstone)
            {
                replicaIndex.TryAdd(tombstone.DeletedBy.Origin, 0);
            }

            var fields = state.SortedFields();
            sortedFields[r] = fields;
            foreach (var (name, entry) in fields)
            {
                fieldIndex.TryAdd(name.Text, 0);
                replicaIndex.TryAdd(entry.Writer.Origin, 0);
                AddOrigins(replicaIndex, entry.Seen);
            }

            foreach (var entry in state.Journal)
            {
                fieldIndex.TryAdd(entry.Field.Text, 0);
                replicaIndex.TryAdd(entry.Writer.Origin, 0);
            }
        }

        var replicas = SortKeys(replicaIndex, static (a, b) => a.CompareTo(b));
        var collections = SortKeys(collectionIndex, string.CompareOrdinal);
        var fieldNames = SortKeys(fieldIndex, string.CompareOrdinal);

        var writer = new CompactWriter(64 + (records.Length * 160));
        writer.WriteByte(FormatByte.SnapshotV1);
        CompactTables.WriteReplicas(writer, replicas);
        CompactTables.WriteNames(writer, collections);
        CompactTables.WriteNames(writer, fieldNames);
        writer.WriteVarUInt((ulong)records.Length);
        var previousCollection = 0;
        var previousId = string.Empty;
        ulong previousTime = 0;
        for (var r = 0; r < records.Length; r++)
        {
            var state = records[r];
            var collection = collectionIndex[state.Collection.Text];
            writer.WriteVarUInt((ulong)(collection - previousCollection));
            CompactTables.WriteRecordId(writer, previousId, state.Id.Text);
            previousCollection = collection;
            previousId = state.Id.Text;
            var version = state.Version;
            CompactTables.WriteVector(writer, version, replicaIndex);
            var fields = sortedFields[r];
            writer.WriteVarUInt(((ulong)fields.Length << 1) | (state.Tombstone.HasValue ? 1UL : 0UL));
            if (state.Tombstone is { } tombstone)
            {
                writer.WriteVarUInt((ulong)replicaIndex[tombstone.DeletedBy.Origin]);
                writer.WriteVarInt(version.Get(tombstone.DeletedBy.Origin) - tombstone.DeletedBy.Sequence);
                writer.WriteStamp(ref previousTime, tombstone.Stamp.Time);
            }

            VersionVector? previousSeen = null;
            foreach (var (name, entry) in fields)
            {
                writer.WriteVarUInt(((ulong)fieldIndex[name.Text] << 3) | (uint)CompactWriter.ValueCode(entry.Value));
                writer.WriteValuePayload(entry.Value);
                var seen = entry.Seen;
                var writerId = entry.Writer;
                int mode;
                if (seen.Count == 0)
                {
                    mode = SeenEmpty;
                }
                else if (previousSeen is not null && previousSeen.Equals(seen))
                {
                    mode = SeenAsPrevious;
                }
                else if (seen.Count == 1 && seen.Origins[0] == writerId.Origin && seen.Sequences[0] < writerId.Sequence)
                {
                    mode = SeenOwnOrigin;
                }
                else
                {
                    mode = SeenExplicit;
                }

                writer.WriteVarUInt(((ulong)replicaIndex[writerId.Origin] << 2) | (uint)mode);
                writer.WriteVarInt(version.Get(writerId.Origin) - writerId.Sequence);
                writer.WriteStamp(ref previousTime, entry.Stamp.Time);
                if (mode == SeenOwnOrigin)
                {
                    writer.WriteVarUInt((ulong)(writerId.Sequence - 1 - seen.Sequences[0]));
                }
                else if (mode == SeenExplicit)
                {
                    CompactTables.WriteVector(writer, seen, replicaIndex);
                }

                previousSeen = seen;
            }

            var journal = state.Journal;
            writer.WriteVarUInt((ulong)journal.Count);
            foreach (var entry in journal)
            {
                writer.WriteVarUInt(((ulong)fieldIndex[entry.Field.Text] << 3) | (uint)CompactWriter.ValueCode(entry.Value));
                writer.WriteValuePayload(entry.Value);
                writer.WriteVarUInt((ulong)replicaIndex[entry.Writer.Origin]);
                writer.WriteVarInt(version.Get(entry.Writer.Origin) - entry.Writer.Sequence);
                writer.WriteStamp(ref previousTime, entry.Stamp.Time);
            }
        }

        return writer;
    }

    private static void AddOrigins(Dictionary<ReplicaId, int> replicaIndex, VersionVector vector)
    {
        foreach (var origin in vector.Origins)
        {
            replicaIndex.TryAdd(origin, 0);
        }
    }

    private static T[] SortKeys<T>(Dictionary<T, int> index, Comparison<T> comparison)
        where T : notnull
    {
        var keys = index.Keys.ToArray();
        Array.Sort(keys, comparison);
        for (var i = 0; i < keys.Length; i++)
        {
            index[keys[i]] = i;
        }

        return keys;
    }

    /// <summary>Decodes a snapshot into its record states, in ascending (collection, id) order.</summary>
    /// <exception cref="DecodeException">The bytes are not exactly one canonical snapshot.</exception>
    public static RecordState[] Decode(ReadOnlyMemory<byte> bytes)
    {
        FormatByte.Check(bytes.Span, FormatByte.SnapshotV1, "a snapshot");
        try
        {
            var reader = new CompactReader(bytes.Span[1..], 1);
            return ReadBody(ref reader);
        }
        catch (Exception ex) when (DecodeGuard.IsDecodeFailure(ex))
        {
            throw DecodeGuard.Translate(ex);
        }
    }

    /// <summary>Decodes a snapshot, or returns the typed error.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out RecordState[]? states, out DecodeException? error)
    {
        try
        {
            states = Decode(bytes);
            error = null;
            return true;
        }
        catch (DecodeException ex)
        {
            states = null;
            error = ex;
            return false;
        }
    }

    private static RecordState[] ReadBody(ref CompactReader reader)
    {
        var replicas = CompactTables.ReadReplicas(ref reader);
        var collections = CompactTables.ReadNames(ref reader, "collection name");
        var fieldTexts = CompactTables.ReadNames(ref reader, "field name");
        var collectionValues = collections.Select(static c => new CollectionName(c)).ToArray();
        var fieldValues = fieldTexts.Select(static f => new FieldName(f)).ToArray();
        var replicaUsed = new bool[replicas.Length];
        var collectionUsed = new bool[collections.Length];
        var fieldUsed = new bool[fieldTexts.Length];

        var count = reader.ReadCount(5, "records");
        var records = new RecordState[count];
        var previousCollection = 0;
        var previousId = string.Empty;
        ulong previousTime = 0;
        var names = new FieldName[Math.Min(fieldTexts.Length, 64)];
        var entries = new FieldEntry[names.Length];
        for (var r = 0; r < count; r++)
        {
            var collection = (long)previousCollection + (long)Math.Min(reader.ReadVarUInt(), (ulong)int.MaxValue);
            if (collection >= collections.Length)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "collection index out of range");
            }

            var idText = CompactTables.ReadRecordId(ref reader, previousId);
            if (r > 0 && collection == previousCollection)
            {
                var order = string.CompareOrdinal(previousId, idText);
                if (order >= 0)
                {
                    throw reader.Error(order == 0 ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "records not in strictly ascending order");
                }
            }

            previousCollection = (int)collection;
            previousId = idText;
            collectionUsed[collection] = true;
            var version = CompactTables.ReadVector(ref reader, replicas, replicaUsed, minimumCount: 0);
            var head = reader.ReadVarUInt();
            var deleted = (head & 1) != 0;
            var fieldCountRaw = head >> 1;
            if (fieldCountRaw > (ulong)fieldTexts.Length)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "more fields than field names");
            }

            var fieldCount = (int)fieldCountRaw;
            Tombstone? tombstone = null;
            if (deleted)
            {
                var origin = reader.ReadBounded(replicas.Length - 1, "replica index");
                replicaUsed[origin] = true;
                var id = ReadWriter(ref reader, replicas[origin], version);
                var time = reader.ReadStamp(ref previousTime);
                tombstone = new Tombstone(new Stamp(time, id.Origin), id);
                if (fieldCount > 0)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, "a deleted record has no fields and no journal");
                }
            }

            if (fieldCount > names.Length)
            {
                names = new FieldName[fieldCount];
                entries = new FieldEntry[fieldCount];
            }

            var previousField = -1L;
            VersionVector? previousSeen = null;
            for (var f = 0; f < fieldCount; f++)
            {
                var fieldHead = reader.ReadVarUInt();
                var index = fieldHead >> 3;
                if (index >= (ulong)fieldTexts.Length)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, "field index out of range");
                }

                if ((long)index <= previousField)
                {
                    throw reader.Error((long)index == previousField ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "fields not in strictly ascending order");
                }

                previousField = (long)index;
                fieldUsed[index] = true;
                var value = reader.ReadValue((int)(fieldHead & 7));
                var writerHead = reader.ReadVarUInt();
                var originIndex = writerHead >> 2;
                if (originIndex >= (ulong)replicas.Length)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, "replica index out of range");
                }

                replicaUsed[originIndex] = true;
                var origin = replicas[originIndex];
                var writerId = ReadWriter(ref reader, origin, version);
                var time = reader.ReadStamp(ref previousTime);
                VersionVector seen;
                switch ((int)(writerHead & 3))
                {
                    case SeenEmpty:
                        seen = VersionVector.Empty;
                        break;
                    case SeenAsPrevious:
                        if (previousSeen is null || previousSeen.Count == 0)
                        {
                            throw reader.Error(DecodeErrorKind.Malformed, "a seen vector repeats a previous field's that is absent or empty");
                        }

                        seen = previousSeen;
                        break;
                    case SeenOwnOrigin:
                        var gap = reader.ReadVarUInt();
                        if (writerId.Sequence < 2 || gap > (ulong)(writerId.Sequence - 2))
                        {
                            throw reader.Error(DecodeErrorKind.InvalidValue, "a seen entry for the writer's origin is at least 1 and below the writer's sequence");
                        }

                        seen = VersionVector.Single(origin, writerId.Sequence - 1 - (long)gap);
                        CheckNotPrevious(ref reader, seen, previousSeen);
                        break;
                    default:
                        seen = CompactTables.ReadVector(ref reader, replicas, replicaUsed, minimumCount: 1);
                        if (seen.Count == 1 && seen.Origins[0] == origin && seen.Sequences[0] < writerId.Sequence)
                        {
                            throw reader.Error(DecodeErrorKind.NonCanonical, "a seen vector of the writer's origin has its own shorter form");
                        }

                        CheckNotPrevious(ref reader, seen, previousSeen);
                        break;
                }

                names[f] = fieldValues[index];
                entries[f] = new FieldEntry(value, new Stamp(time, origin), writerId, seen);
                previousSeen = seen;
            }

            var journalCount = reader.ReadCount(4, "journal entries");
            JournalEntry[] journal = journalCount == 0 ? [] : new JournalEntry[journalCount];
            if (deleted && journalCount > 0)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "a deleted record has no fields and no journal");
            }

            for (var j = 0; j < journalCount; j++)
            {
                var fieldHead = reader.ReadVarUInt();
                var index = fieldHead >> 3;
                if (index >= (ulong)fieldTexts.Length)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, "field index out of range");
                }

                fieldUsed[index] = true;
                var value = reader.ReadValue((int)(fieldHead & 7));
                var originIndex = reader.ReadBounded(replicas.Length - 1, "replica index");
                replicaUsed[originIndex] = true;
                var origin = replicas[originIndex];
                var writerId = ReadWriter(ref reader, origin, version);
                var time = reader.ReadStamp(ref previousTime);
                var entry = new JournalEntry(fieldValues[index], value, new Stamp(time, origin), writerId);
                if (j > 0 && journal[j - 1].CompareTo(entry) >= 0)
                {
                    throw reader.Error(journal[j - 1].CompareTo(entry) == 0 ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "journal entries not in strictly ascending order");
                }

                var owner = Array.IndexOf(names, fieldValues[index], 0, fieldCount);
                if (owner < 0 || entries[owner].Seen.Includes(writerId) || entries[owner].Writer == writerId)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, $"journal entry for field '{fieldTexts[index]}' does not belong to its field's state");
                }

                journal[j] = entry;
            }

            records[r] = RecordState.FromParts(collectionValues[collection], new RecordId(idText), version, tombstone, names, entries, fieldCount, journal);
        }

        reader.ExpectEnd();
        CompactTables.CheckAllUsed(ref reader, replicaUsed, "replica");
        CompactTables.CheckAllUsed(ref reader, collectionUsed, "collection");
        CompactTables.CheckAllUsed(ref reader, fieldUsed, "field name");
        return records;
    }

    private static ChangeId ReadWriter(ref CompactReader reader, ReplicaId origin, VersionVector version)
    {
        var delta = reader.ReadVarInt();
        var known = version.Get(origin);
        var sequence = known - delta;
        if ((delta < 0 && sequence < known) || sequence < 1)
        {
            throw reader.Error(DecodeErrorKind.InvalidValue, "a writer's sequence must be at least 1");
        }

        return new ChangeId(origin, sequence);
    }

    private static void CheckNotPrevious(ref CompactReader reader, VersionVector seen, VersionVector? previousSeen)
    {
        if (previousSeen is not null && previousSeen.Equals(seen))
        {
            throw reader.Error(DecodeErrorKind.NonCanonical, "a seen vector equal to the previous field's has its own shorter form");
        }
    }
}
