using System.Buffers.Binary;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using MessagePack;

namespace CrdtSync.Crdt.Encoding;

/// <summary>Writes the canonical forms that <see cref="CanonicalReader"/> accepts.</summary>
internal static class CanonicalWriting
{
    /// <summary>Extension type of a timestamp value: 8 bytes, big-endian milliseconds since the Unix epoch.</summary>
    public const sbyte TimestampExtension = 1;

    public static void WriteValue(ref MessagePackWriter writer, Value value)
    {
        switch (value.Kind)
        {
            case ValueKind.Null:
                writer.WriteNil();
                break;
            case ValueKind.Bool:
                writer.Write(value.AsBool);
                break;
            case ValueKind.Int64:
                writer.Write(value.AsInt64);
                break;
            case ValueKind.Float64:
                writer.Write(value.AsFloat64);
                break;
            case ValueKind.String:
                writer.Write(value.AsString);
                break;
            case ValueKind.Bytes:
                writer.Write(value.BytesArray);
                break;
            case ValueKind.Timestamp:
                writer.WriteExtensionFormatHeader(new ExtensionHeader(TimestampExtension, 8));
                BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), value.Bits);
                writer.Advance(8);
                break;
            default:
                throw new InvalidOperationException($"Unknown value kind {value.Kind}.");
        }
    }

    public static void WriteReplicaId(ref MessagePackWriter writer, ReplicaId id)
    {
        writer.WriteBinHeader(ReplicaId.Size);
        id.WriteTo(writer.GetSpan(ReplicaId.Size));
        writer.Advance(ReplicaId.Size);
    }

    public static void WriteVersionVector(ref MessagePackWriter writer, VersionVector version)
    {
        writer.WriteMapHeader(version.Count);
        var origins = version.Origins;
        var sequences = version.Sequences;
        for (var i = 0; i < origins.Length; i++)
        {
            WriteReplicaId(ref writer, origins[i]);
            writer.Write(sequences[i]);
        }
    }
}
