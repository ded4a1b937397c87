using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using Google.Protobuf;

namespace CrdtSync.Replica.Peers;

/// <summary>Maps peer messages to and from protobuf: vectors, and change sets as one compact batch plus skipped ranges.</summary>
internal static class PeerWire
{
    /// <summary>The peer protocol version this build speaks.</summary>
    public const uint ProtocolVersion = 1;

    public static PeerVector ToWire(VersionVector version)
    {
        var wire = new PeerVector();
        foreach (var (origin, sequence) in version)
        {
            wire.Entries.Add(new PeerVectorEntry { Origin = ByteString.CopyFrom(origin.ToByteArray()), Sequence = sequence });
        }

        return wire;
    }

    /// <exception cref="PeerProtocolException">An origin is not 16 bytes or a sequence is negative.</exception>
    public static VersionVector FromWire(PeerVector? wire)
    {
        if (wire is null)
        {
            return VersionVector.Empty;
        }

        var entries = new List<KeyValuePair<ReplicaId, long>>(wire.Entries.Count);
        foreach (var entry in wire.Entries)
        {
            if (entry.Sequence < 0)
            {
                throw new PeerProtocolException($"Vector entry for {Hex(entry.Origin)} has a negative sequence.");
            }

            entries.Add(new(Origin(entry.Origin), entry.Sequence));
        }

        return VersionVector.From(entries);
    }

    public static PeerChanges ToWire(PeerChangeSet set)
    {
        var wire = new PeerChanges
        {
            Batch = set.Changes.Count == 0 ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(ChangeBatchCodec.Encode(set.Changes)),
        };
        foreach (var group in set.Skipped.GroupBy(id => id.Origin))
        {
            SkippedRange? range = null;
            foreach (var sequence in group.Select(id => id.Sequence).Order())
            {
                if (range is not null && sequence == range.Last + 1)
                {
                    range.Last = sequence;
                    continue;
                }

                range = new SkippedRange { Origin = ByteString.CopyFrom(group.Key.ToByteArray()), First = sequence, Last = sequence };
                wire.Skipped.Add(range);
            }
        }

        return wire;
    }

    /// <exception cref="PeerProtocolException">The batch does not decode canonically, or a range is malformed.</exception>
    public static PeerChangeSet FromWire(PeerChanges? wire, bool more = false)
    {
        if (wire is null)
        {
            return PeerChangeSet.Empty;
        }

        Change[] changes = [];
        if (!wire.Batch.IsEmpty && !ChangeBatchCodec.TryDecode(wire.Batch.Memory, out changes!, out var error))
        {
            throw new PeerProtocolException($"The change batch does not decode: {error!.Message}", error);
        }

        var skipped = new List<ChangeId>();
        foreach (var range in wire.Skipped)
        {
            if (range.First < 1 || range.Last < range.First || range.Last - range.First > 1_000_000)
            {
                throw new PeerProtocolException($"Skipped range {range.First}..{range.Last} of {Hex(range.Origin)} is malformed.");
            }

            if (skipped.Count + (range.Last - range.First) > 1_000_000)
            {
                throw new PeerProtocolException("More than 1,000,000 skipped ids in one message.");
            }

            var origin = Origin(range.Origin);
            for (var sequence = range.First; sequence <= range.Last; sequence++)
            {
                skipped.Add(new ChangeId(origin, sequence));
            }
        }

        return new PeerChangeSet(changes, skipped, more);
    }

    /// <exception cref="PeerProtocolException">Not 16 bytes.</exception>
    public static ReplicaId Origin(ByteString bytes) => bytes.Length == 16
        ? ReplicaId.FromBytes(bytes.ToByteArray())
        : throw new PeerProtocolException($"A replica id is 16 bytes, not {bytes.Length}.");

    private static string Hex(ByteString bytes) => Convert.ToHexString(bytes.Span);
}
