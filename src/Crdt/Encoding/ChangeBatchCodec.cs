using System.Buffers;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The compact encoding of a list of changes (what a delta or a push carries), format byte
/// <see cref="FormatByte.BatchV1"/>. It unpacks to exactly the canonical changes: for every decoded
/// change <c>c</c> at position <c>i</c>, <c>ChangeCodec.Encode(c)</c> equals <c>ChangeCodec.Encode</c> of
/// the <c>i</c>-th change given to <see cref="Encode(IReadOnlyList{Change})"/>.
/// </summary>
/// <remarks>
/// <para>Layout (varints are unsigned LEB128 in their shortest form; see <c>CompactWriter</c> for values
/// and stamps): the format byte; five tables, each a varint count then entries sorted strictly ascending:
/// replica ids (16 bytes), collection names, field names (also action arguments), action names (varint
/// length, ASCII), records (varint gap of the collection index from the previous record's, then the id
/// front-coded against the previous record's id: longest shared prefix length, then the rest); then the
/// varint number of changes and the changes in the given order.</para>
/// <para>Each change: a header byte — bits 0-1 kind (upsert, action, delete), bit 2 "exactly one field",
/// bit 3 "same origin as the previous change", bit 4 "sequence is the previous sequence of this origin in
/// the batch plus one" (the previous is 0 before the first), bits 5-6 the base mode, bit 7 zero — then the
/// origin's replica index (unless bit 3), the zigzag sequence delta (unless bit 4), the stamp against the
/// previous stamp of the same origin in the batch (0 before the first), the record index, for an action the
/// action index, the field count (unless bit 2 or a delete), the fields as varint
/// <c>field index * 8 + value code</c> and the value payload, in ascending index order, and the base.
/// Base modes: 0 empty; 1 the previous change of the same record in the batch with that change's id added
/// (<c>prev.Base.With(prev.Id)</c>); 2 one entry for the change's own origin below its sequence, written as
/// <c>sequence - 1 - entry</c>; 3 explicit (count, then per entry the origin index gap and sequence - 1).</para>
/// <para>Laws: canonical — the encoder always takes the first mode that applies (0, 1, 2, 3), sets every
/// flag whose condition holds, and lists only table entries it uses; the decoder refuses anything else
/// (a longer varint, an unset flag whose condition holds, an unused, unsorted or duplicate table entry, an
/// index out of range, trailing bytes, an unknown format version) with a <see cref="DecodeException"/>,
/// the only exception it throws. So equal change lists give equal bytes and decoding then re-encoding gives
/// the same bytes.</para>
/// </remarks>
public static class ChangeBatchCodec
{
    private const int KindMask = 0x03;
    private const int SingleFieldFlag = 0x04;
    private const int SameOriginFlag = 0x08;
    private const int NextSequenceFlag = 0x10;
    private const int BaseShift = 5;
    private const int BaseEmpty = 0;
    private const int BaseContinues = 1;
    private const int BaseOwnOrigin = 2;
    private const int BaseExplicit = 3;

    /// <summary>Encodes a list of changes.</summary>
    public static byte[] Encode(IReadOnlyList<Change> changes) => EncodeToWriter(changes).ToArray();

    /// <summary>Encodes a list of changes into <paramref name="output"/>.</summary>
    public static void Encode(IReadOnlyList<Change> changes, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        EncodeToWriter(changes).CopyTo(output);
    }

    private readonly record struct RecordKey(string Collection, string Id);

    private static CompactWriter EncodeToWriter(IReadOnlyList<Change> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var count = changes.Count;

        // Tables: collect, sort, index.
        var replicaIndex = new Dictionary<ReplicaId, int>();
        var collectionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var fieldIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var actionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var recordFirstSeen = new Dictionary<RecordKey, int>();
        var recordOfChange = new int[count];
        var recordKeys = new List<RecordKey>();
        // Lookups by reference first (the strings of a replica's changes are mostly shared instances: its record
        // ids, its field names), falling back to the ordinal tables: no string hashing per change.
        var fieldByReference = new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
        var recordByReference = new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
        var lastOrigin = default(ReplicaId);
        var hasLastOrigin = false;
        string? lastCollection = null;
        for (var i = 0; i < count; i++)
        {
            var change = changes[i] ?? throw new ArgumentException($"Change {i} is null.", nameof(changes));
            var changeOrigin = change.Id.Origin;
            if (!hasLastOrigin || changeOrigin != lastOrigin)
            {
                replicaIndex.TryAdd(changeOrigin, 0);
                lastOrigin = changeOrigin;
                hasLastOrigin = true;
            }

            foreach (var origin in change.Base.Origins)
            {
                if (origin != changeOrigin)
                {
                    replicaIndex.TryAdd(origin, 0);
                }
            }

            var collectionText = change.Collection.Text;
            if (!ReferenceEquals(collectionText, lastCollection))
            {
                collectionIndex.TryAdd(collectionText, 0);
                lastCollection = collectionText;
            }

            foreach (var field in change.FieldSpan)
            {
                if (!fieldByReference.ContainsKey(field.Name.Text))
                {
                    fieldByReference.Add(field.Name.Text, 0);
                    fieldIndex.TryAdd(field.Name.Text, 0);
                }
            }

            if (change.ActionName is { } action)
            {
                actionIndex.TryAdd(action.Text, 0);
            }

            var idText = change.RecordId.Text;
            if (!recordByReference.TryGetValue(idText, out var recordSlot) || !string.Equals(recordKeys[recordSlot].Collection, collectionText, StringComparison.Ordinal))
            {
                var key = new RecordKey(collectionText, idText);
                if (!recordFirstSeen.TryGetValue(key, out recordSlot))
                {
                    recordSlot = recordKeys.Count;
                    recordFirstSeen.Add(key, recordSlot);
                    recordKeys.Add(key);
                }

                recordByReference.TryAdd(idText, recordSlot);
            }

            recordOfChange[i] = recordSlot;
        }

        var replicas = SortKeys(replicaIndex, static (a, b) => a.CompareTo(b));
        var collections = SortKeys(collectionIndex, string.CompareOrdinal);
        var fields = SortKeys(fieldIndex, string.CompareOrdinal);
        foreach (var text in fieldByReference.Keys.ToArray())
        {
            fieldByReference[text] = fieldIndex[text];
        }

        var actions = SortKeys(actionIndex, string.CompareOrdinal);
        var recordOrder = new int[recordKeys.Count];
        for (var i = 0; i < recordOrder.Length; i++)
        {
            recordOrder[i] = i;
        }

        Array.Sort(recordOrder, (a, b) =>
        {
            var byCollection = string.CompareOrdinal(recordKeys[a].Collection, recordKeys[b].Collection);
            return byCollection != 0 ? byCollection : string.CompareOrdinal(recordKeys[a].Id, recordKeys[b].Id);
        });
        var recordSortedIndex = new int[recordOrder.Length];
        for (var i = 0; i < recordOrder.Length; i++)
        {
            recordSortedIndex[recordOrder[i]] = i;
        }

        var writer = new CompactWriter(64 + (count * 16));
        writer.WriteByte(FormatByte.BatchV1);
        CompactTables.WriteReplicas(writer, replicas);
        CompactTables.WriteNames(writer, collections);
        CompactTables.WriteNames(writer, fields);
        CompactTables.WriteNames(writer, actions);
        writer.WriteVarUInt((ulong)recordOrder.Length);
        var previousCollection = 0;
        var previousId = string.Empty;
        foreach (var slot in recordOrder)
        {
            var key = recordKeys[slot];
            var collection = collectionIndex[key.Collection];
            writer.WriteVarUInt((ulong)(collection - previousCollection));
            CompactTables.WriteRecordId(writer, previousId, key.Id);
            previousCollection = collection;
            previousId = key.Id;
        }

        // Changes.
        writer.WriteVarUInt((ulong)count);
        var lastSequence = new long[replicas.Length];
        var lastTime = new ulong[replicas.Length];
        var lastOfRecord = new int[recordOrder.Length];
        Array.Fill(lastOfRecord, -1);
        var previousOrigin = -1;
        for (var i = 0; i < count; i++)
        {
            var change = changes[i];
            var origin = previousOrigin >= 0 && change.Id.Origin == replicas[previousOrigin] ? previousOrigin : replicaIndex[change.Id.Origin];
            var record = recordSortedIndex[recordOfChange[i]];
            var sequence = change.Id.Sequence;
            var header = (int)change.Kind;
            var fieldArray = change.FieldSpan;
            if (change.Kind != ChangeKind.Delete && fieldArray.Length == 1)
            {
                header |= SingleFieldFlag;
            }

            if (origin == previousOrigin)
            {
                header |= SameOriginFlag;
            }

            if (sequence == lastSequence[origin] + 1)
            {
                header |= NextSequenceFlag;
            }

            var baseVersion = change.Base;
            var previousOfRecord = lastOfRecord[record];
            int baseMode;
            if (baseVersion.Count == 0)
            {
                baseMode = BaseEmpty;
            }
            else if (previousOfRecord >= 0 && EqualsWith(baseVersion, changes[previousOfRecord].Base, changes[previousOfRecord].Id))
            {
                baseMode = BaseContinues;
            }
            else if (baseVersion.Count == 1 && baseVersion.Origins[0] == change.Id.Origin && baseVersion.Sequences[0] < sequence)
            {
                baseMode = BaseOwnOrigin;
            }
            else
            {
                baseMode = BaseExplicit;
            }

            header |= baseMode << BaseShift;
            writer.WriteByte((byte)header);
            if (origin != previousOrigin)
            {
                writer.WriteVarUInt((ulong)origin);
            }

            if (sequence != lastSequence[origin] + 1)
            {
                writer.WriteVarInt(sequence - lastSequence[origin]);
            }

            writer.WriteStamp(ref lastTime[origin], change.Stamp.Time);
            writer.WriteVarUInt((ulong)record);
            if (change.Kind == ChangeKind.Action)
            {
                writer.WriteVarUInt((ulong)actionIndex[change.ActionName!.Value.Text]);
            }

            if (change.Kind != ChangeKind.Delete)
            {
                if (fieldArray.Length != 1)
                {
                    writer.WriteVarUInt((ulong)fieldArray.Length);
                }

                foreach (var field in fieldArray)
                {
                    writer.WriteVarUInt(((ulong)fieldByReference[field.Name.Text] << 3) | (uint)CompactWriter.ValueCode(field.Value));
                    writer.WriteValuePayload(field.Value);
                }
            }

            if (baseMode == BaseOwnOrigin)
            {
                writer.WriteVarUInt((ulong)(sequence - 1 - baseVersion.Sequences[0]));
            }
            else if (baseMode == BaseExplicit)
            {
                CompactTables.WriteVector(writer, baseVersion, replicaIndex);
            }

            lastSequence[origin] = sequence;
            lastOfRecord[record] = i;
            previousOrigin = origin;
        }

        return writer;
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

    /// <summary>True when <paramref name="vector"/> equals <c>previousBase.With(previousId)</c>, without building it.</summary>
    private static bool EqualsWith(VersionVector vector, VersionVector previousBase, ChangeId previousId)
    {
        var origins = vector.Origins;
        var sequences = vector.Sequences;
        var previousOrigins = previousBase.Origins;
        var previousSequences = previousBase.Sequences;
        int i = 0, j = 0;
        var inserted = false;
        while (i < origins.Length)
        {
            ReplicaId expectedOrigin;
            long expectedSequence;
            if (j < previousOrigins.Length && (inserted || previousOrigins[j].CompareTo(previousId.Origin) <= 0))
            {
                expectedOrigin = previousOrigins[j];
                expectedSequence = previousSequences[j];
                if (!inserted && expectedOrigin == previousId.Origin)
                {
                    expectedSequence = Math.Max(expectedSequence, previousId.Sequence);
                    inserted = true;
                }

                j++;
            }
            else if (!inserted)
            {
                expectedOrigin = previousId.Origin;
                expectedSequence = previousId.Sequence;
                inserted = true;
            }
            else
            {
                return false;
            }

            if (origins[i] != expectedOrigin || sequences[i] != expectedSequence)
            {
                return false;
            }

            i++;
        }

        return inserted && j == previousOrigins.Length;
    }

    /// <summary>Decodes a batch into its changes, in the encoded order.</summary>
    /// <exception cref="DecodeException">The bytes are not exactly one canonical batch.</exception>
    public static Change[] Decode(ReadOnlyMemory<byte> bytes)
    {
        FormatByte.Check(bytes.Span, FormatByte.BatchV1, "a change batch");
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

    /// <summary>Decodes a batch, or returns the typed error.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, out Change[]? changes, out DecodeException? error)
    {
        try
        {
            changes = Decode(bytes);
            error = null;
            return true;
        }
        catch (DecodeException ex)
        {
            changes = null;
            error = ex;
            return false;
        }
    }

    private static Change[] ReadBody(ref CompactReader reader)
    {
        var replicas = CompactTables.ReadReplicas(ref reader);
        var collections = CompactTables.ReadNames(ref reader, "collection name");
        var fieldNames = CompactTables.ReadNames(ref reader, "field name");
        var actionNames = CompactTables.ReadNames(ref reader, "action name");
        var collectionValues = collections.Select(static c => new CollectionName(c)).ToArray();
        var fieldValues = fieldNames.Select(static f => new FieldName(f)).ToArray();
        var actionValues = actionNames.Select(static a => new ActionName(a)).ToArray();

        var recordCount = reader.ReadCount(3, "records");
        var recordCollections = new int[recordCount];
        var recordIds = new RecordId[recordCount];
        var collectionUsed = new bool[collections.Length];
        var previousCollection = 0;
        var previousId = string.Empty;
        for (var i = 0; i < recordCount; i++)
        {
            var collection = (long)previousCollection + (long)Math.Min(reader.ReadVarUInt(), (ulong)int.MaxValue);
            if (collection >= collections.Length)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "collection index out of range");
            }

            var id = CompactTables.ReadRecordId(ref reader, previousId);
            if (i > 0 && collection == previousCollection)
            {
                var order = string.CompareOrdinal(previousId, id);
                if (order >= 0)
                {
                    throw reader.Error(order == 0 ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "record table not strictly ascending");
                }
            }

            previousCollection = (int)collection;
            previousId = id;
            collectionUsed[collection] = true;
            recordCollections[i] = (int)collection;
            recordIds[i] = new RecordId(id);
        }

        var count = reader.ReadCount(3, "changes");
        var changes = new Change[count];
        var replicaUsed = new bool[replicas.Length];
        var fieldUsed = new bool[fieldNames.Length];
        var actionUsed = new bool[actionNames.Length];
        var recordUsed = new bool[recordCount];
        var lastSequence = new long[replicas.Length];
        var lastTime = new ulong[replicas.Length];
        var lastOfRecord = new int[recordCount];
        Array.Fill(lastOfRecord, -1);
        var previousOrigin = -1;
        for (var i = 0; i < count; i++)
        {
            var header = reader.ReadByte();
            if ((header & 0x80) != 0)
            {
                throw reader.Error(DecodeErrorKind.Malformed, "reserved header bit set");
            }

            var kindCode = header & KindMask;
            if (kindCode > (int)ChangeKind.Delete)
            {
                throw reader.Error(DecodeErrorKind.Malformed, $"unknown change kind {kindCode}");
            }

            var kind = (ChangeKind)kindCode;
            int origin;
            if ((header & SameOriginFlag) != 0)
            {
                if (previousOrigin < 0)
                {
                    throw reader.Error(DecodeErrorKind.Malformed, "the first change cannot repeat a previous origin");
                }

                origin = previousOrigin;
            }
            else
            {
                origin = reader.ReadBounded(replicas.Length - 1, "replica index");
                if (origin == previousOrigin)
                {
                    throw reader.Error(DecodeErrorKind.NonCanonical, "a repeated origin has its own shorter form");
                }
            }

            replicaUsed[origin] = true;
            long sequence;
            if ((header & NextSequenceFlag) != 0)
            {
                sequence = lastSequence[origin] + 1;
            }
            else
            {
                var delta = reader.ReadVarInt();
                if (delta == 1)
                {
                    throw reader.Error(DecodeErrorKind.NonCanonical, "a next sequence has its own shorter form");
                }

                sequence = lastSequence[origin] + delta;
                if (delta > 0 && sequence < 0)
                {
                    throw reader.Error(DecodeErrorKind.InvalidValue, "sequence out of range");
                }
            }

            if (sequence < 1)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, $"a change sequence must be at least 1, found {sequence}");
            }

            var time = reader.ReadStamp(ref lastTime[origin]);
            var record = reader.ReadBounded(recordCount - 1, "record index");
            recordUsed[record] = true;
            ActionName? action = null;
            if (kind == ChangeKind.Action)
            {
                var actionIndex = reader.ReadBounded(actionNames.Length - 1, "action index");
                actionUsed[actionIndex] = true;
                action = actionValues[actionIndex];
            }

            FieldValue[] fields = [];
            FieldValue single = default;
            var isSingle = false;
            if (kind == ChangeKind.Delete)
            {
                if ((header & SingleFieldFlag) != 0)
                {
                    throw reader.Error(DecodeErrorKind.Malformed, "a delete has no fields");
                }
            }
            else
            {
                int fieldCount;
                if ((header & SingleFieldFlag) != 0)
                {
                    fieldCount = 1;
                }
                else
                {
                    fieldCount = reader.ReadCount(1, "fields");
                    if (fieldCount == 1)
                    {
                        throw reader.Error(DecodeErrorKind.NonCanonical, "a single field has its own shorter form");
                    }
                }

                if (fieldCount == 1)
                {
                    var head = reader.ReadVarUInt();
                    var index = head >> 3;
                    if (index >= (ulong)fieldNames.Length)
                    {
                        throw reader.Error(DecodeErrorKind.InvalidValue, "field index out of range");
                    }

                    fieldUsed[index] = true;
                    single = new FieldValue(fieldValues[index], reader.ReadValue((int)(head & 7)));
                    isSingle = true;
                }
                else if (fieldCount > 0)
                {
                    fields = new FieldValue[fieldCount];
                    var previousField = -1L;
                    for (var f = 0; f < fieldCount; f++)
                    {
                        var head = reader.ReadVarUInt();
                        var index = head >> 3;
                        if (index >= (ulong)fieldNames.Length)
                        {
                            throw reader.Error(DecodeErrorKind.InvalidValue, "field index out of range");
                        }

                        if ((long)index <= previousField)
                        {
                            throw reader.Error((long)index == previousField ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "fields not in strictly ascending order");
                        }

                        previousField = (long)index;
                        fieldUsed[index] = true;
                        fields[f] = new FieldValue(fieldValues[index], reader.ReadValue((int)(head & 7)));
                    }
                }
            }

            var originId = replicas[origin];
            var previousOfRecord = lastOfRecord[record];
            VersionVector baseVersion;
            switch ((header >> BaseShift) & 3)
            {
                case BaseEmpty:
                    baseVersion = VersionVector.Empty;
                    break;
                case BaseContinues:
                    if (previousOfRecord < 0)
                    {
                        throw reader.Error(DecodeErrorKind.Malformed, "a base continues a previous change of a record that has none in the batch");
                    }

                    baseVersion = changes[previousOfRecord].Base.With(changes[previousOfRecord].Id);
                    break;
                case BaseOwnOrigin:
                    var gap = reader.ReadVarUInt();
                    if (sequence < 2 || gap > (ulong)(sequence - 2))
                    {
                        throw reader.Error(DecodeErrorKind.InvalidValue, "a base entry for the own origin is at least 1 and below the change's sequence");
                    }

                    baseVersion = VersionVector.Single(originId, sequence - 1 - (long)gap);
                    CheckNotContinuing(ref reader, baseVersion, changes, previousOfRecord);
                    break;
                default:
                    baseVersion = CompactTables.ReadVector(ref reader, replicas, replicaUsed, minimumCount: 1);
                    if (baseVersion.Count == 1 && baseVersion.Origins[0] == originId && baseVersion.Sequences[0] < sequence)
                    {
                        throw reader.Error(DecodeErrorKind.NonCanonical, "a base of the own origin has its own shorter form");
                    }

                    CheckNotContinuing(ref reader, baseVersion, changes, previousOfRecord);
                    break;
            }

            changes[i] = isSingle
                ? Change.FromParts(new ChangeId(originId, sequence), new Stamp(time, originId), collectionValues[recordCollections[record]], recordIds[record], kind, baseVersion, single, action)
                : Change.FromParts(new ChangeId(originId, sequence), new Stamp(time, originId), collectionValues[recordCollections[record]], recordIds[record], kind, baseVersion, fields, action);
            lastSequence[origin] = sequence;
            lastOfRecord[record] = i;
            previousOrigin = origin;
        }

        reader.ExpectEnd();
        CompactTables.CheckAllUsed(ref reader, replicaUsed, "replica");
        CompactTables.CheckAllUsed(ref reader, collectionUsed, "collection");
        CompactTables.CheckAllUsed(ref reader, fieldUsed, "field name");
        CompactTables.CheckAllUsed(ref reader, actionUsed, "action name");
        CompactTables.CheckAllUsed(ref reader, recordUsed, "record");
        return changes;
    }

    private static void CheckNotContinuing(ref CompactReader reader, VersionVector baseVersion, Change[] changes, int previousOfRecord)
    {
        if (previousOfRecord >= 0 && EqualsWith(baseVersion, changes[previousOfRecord].Base, changes[previousOfRecord].Id))
        {
            throw reader.Error(DecodeErrorKind.NonCanonical, "a base that continues the record's previous change has its own shorter form");
        }
    }
}
