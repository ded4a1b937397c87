using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The shared tables of the compact formats. Every table is sorted strictly ascending (so it holds no
/// entry twice) and every entry must be used by the payload (so one batch has one encoding).
/// </summary>
internal static class CompactTables
{
    /// <summary>Replica ids: varint count, then 16 bytes each, in ascending order.</summary>
    public static void WriteReplicas(CompactWriter writer, ReplicaId[] replicas)
    {
        writer.WriteVarUInt((ulong)replicas.Length);
        foreach (var replica in replicas)
        {
            writer.WriteReplicaId(replica);
        }
    }

    public static ReplicaId[] ReadReplicas(ref CompactReader reader)
    {
        var count = reader.ReadCount(ReplicaId.Size, "replica ids");
        var replicas = new ReplicaId[count];
        for (var i = 0; i < count; i++)
        {
            replicas[i] = reader.ReadReplicaId();
            if (i > 0 && replicas[i - 1].CompareTo(replicas[i]) >= 0)
            {
                throw reader.Error(replicas[i - 1] == replicas[i] ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, "replica table not strictly ascending");
            }
        }

        return replicas;
    }

    /// <summary>Names: varint count, then each as varint length and ASCII, in ascending ordinal order.</summary>
    public static void WriteNames(CompactWriter writer, string[] names)
    {
        writer.WriteVarUInt((ulong)names.Length);
        foreach (var name in names)
        {
            writer.WriteAsciiSuffix(name, 0);
        }
    }

    public static string[] ReadNames(ref CompactReader reader, string what)
    {
        var count = reader.ReadCount(2, what + "s");
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = reader.ReadName(what);
            if (i > 0)
            {
                var order = string.CompareOrdinal(names[i - 1], names[i]);
                if (order >= 0)
                {
                    throw reader.Error(order == 0 ? DecodeErrorKind.DuplicateKey : DecodeErrorKind.NonCanonical, $"{what} table not strictly ascending");
                }
            }
        }

        return names;
    }

    /// <summary>Length of the common prefix of two strings.</summary>
    public static int CommonPrefix(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        var i = 0;
        while (i < length && left[i] == right[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>A record id front-coded against the previous one: varint shared prefix length, then the rest (varint length, ASCII).</summary>
    public static void WriteRecordId(CompactWriter writer, string previous, string id)
    {
        var prefix = CommonPrefix(previous, id);
        writer.WriteVarUInt((ulong)prefix);
        writer.WriteAsciiSuffix(id, prefix);
    }

    /// <summary>Reads a front-coded record id; the prefix must be the longest shared one.</summary>
    public static string ReadRecordId(ref CompactReader reader, string previous)
    {
        var prefix = reader.ReadBounded(previous.Length, "a record id's shared prefix");
        var suffixLength = reader.ReadBounded(IdentifierRules.RecordIdLengthMax, "a record id's length");
        var suffix = reader.ReadSpan(suffixLength);
        if (suffixLength > 0 && prefix < previous.Length && suffix[0] == previous[prefix])
        {
            throw reader.Error(DecodeErrorKind.NonCanonical, "a record id's shared prefix is not the longest");
        }

        if (prefix + suffixLength > IdentifierRules.RecordIdLengthMax)
        {
            throw reader.Error(DecodeErrorKind.InvalidValue, "a record id is longer than allowed");
        }

        Span<char> chars = stackalloc char[prefix + suffixLength];
        previous.AsSpan(0, prefix).CopyTo(chars);
        for (var i = 0; i < suffixLength; i++)
        {
            chars[prefix + i] = (char)suffix[i];
        }

        var text = new string(chars);
        if (IdentifierRules.CheckRecordId(text) is { } rule)
        {
            throw reader.Error(DecodeErrorKind.InvalidValue, $"record id '{text}': {rule}");
        }

        return text;
    }

    /// <summary>An explicit version vector: varint count, then per entry the origin's table index (first absolute, then the gap minus one) and the sequence minus one.</summary>
    public static void WriteVector(CompactWriter writer, VersionVector vector, Dictionary<ReplicaId, int> replicaIndex)
    {
        writer.WriteVarUInt((ulong)vector.Count);
        var origins = vector.Origins;
        var sequences = vector.Sequences;
        var previous = -1;
        for (var i = 0; i < origins.Length; i++)
        {
            var index = replicaIndex[origins[i]];
            writer.WriteVarUInt((ulong)(index - previous - 1));
            writer.WriteVarUInt((ulong)(sequences[i] - 1));
            previous = index;
        }
    }

    public static VersionVector ReadVector(ref CompactReader reader, ReplicaId[] replicas, bool[] replicaUsed, int minimumCount)
    {
        var count = reader.ReadCount(2, "version vector entries");
        if (count < minimumCount)
        {
            throw reader.Error(DecodeErrorKind.NonCanonical, "an empty version vector has its own shorter form");
        }

        if (count == 0)
        {
            return VersionVector.Empty;
        }

        if (count == 1)
        {
            // The common one-origin vector: no arrays.
            var only = (long)Math.Min(reader.ReadVarUInt(), (ulong)int.MaxValue);
            if (only >= replicas.Length)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "replica index out of range");
            }

            var onlySequence = reader.ReadVarUInt();
            if (onlySequence >= long.MaxValue)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "sequence out of range");
            }

            replicaUsed[only] = true;
            return VersionVector.Single(replicas[only], (long)onlySequence + 1);
        }

        var origins = new ReplicaId[count];
        var sequences = new long[count];
        var previous = -1;
        for (var i = 0; i < count; i++)
        {
            var index = (long)previous + 1 + (long)Math.Min(reader.ReadVarUInt(), (ulong)int.MaxValue);
            if (index >= replicas.Length)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "replica index out of range");
            }

            var sequence = reader.ReadVarUInt();
            if (sequence >= long.MaxValue)
            {
                throw reader.Error(DecodeErrorKind.InvalidValue, "sequence out of range");
            }

            previous = (int)index;
            replicaUsed[previous] = true;
            origins[i] = replicas[previous];
            sequences[i] = (long)sequence + 1;
        }

        return VersionVector.FromSorted(origins, sequences);
    }

    /// <summary>Checks that every entry of a table was used.</summary>
    public static void CheckAllUsed(ref CompactReader reader, bool[] used, string what)
    {
        for (var i = 0; i < used.Length; i++)
        {
            if (!used[i])
            {
                throw reader.Error(DecodeErrorKind.NonCanonical, $"{what} table entry {i} is never used");
            }
        }
    }
}
