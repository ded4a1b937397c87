using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static CrdtSync.Crdt.Tests.Encoding.CompactCodecGenerators;

namespace CrdtSync.Crdt.Tests.Encoding;

public class SnapshotCodecProperties
{
    private static byte[][] StateBytes(IEnumerable<RecordState> states) =>
        [.. states.OrderBy(s => s.Collection.Text, StringComparer.Ordinal).ThenBy(s => s.Id.Text, StringComparer.Ordinal).Select(RecordStateCodec.Encode)];

    private static bool SameStates(IEnumerable<RecordState> expected, IEnumerable<RecordState> actual)
    {
        var left = StateBytes(expected);
        var right = StateBytes(actual);
        return left.Length == right.Length && left.Zip(right).All(p => p.First.AsSpan().SequenceEqual(p.Second));
    }

    [Fact]
    public void Snapshot_RoundTrips_ByteEqual_UnderRecordStateCodec() =>
        Check.One(Config(0x3101), Prop.ForAll(States().ToArbitrary(), states =>
            SameStates(states, SnapshotCodec.Decode(SnapshotCodec.Encode(states)))));

    [Fact]
    public void Snapshot_DecodeThenEncode_GivesTheSameBytes() =>
        Check.One(Config(0x3102), Prop.ForAll(States().ToArbitrary(), states =>
        {
            var bytes = SnapshotCodec.Encode(states);
            return bytes.AsSpan().SequenceEqual(SnapshotCodec.Encode(SnapshotCodec.Decode(bytes)));
        }));

    [Fact]
    public void Snapshot_DoesNotDependOnTheOrderOfTheStates() =>
        Check.One(Config(0x3103), Prop.ForAll(States().ToArbitrary(), states =>
            SnapshotCodec.Encode(states).AsSpan().SequenceEqual(SnapshotCodec.Encode(Enumerable.Reverse(states)))));

    [Fact]
    public void Snapshot_MutatedBytes_AreRefused_OrReencodeIdentically() =>
        Check.One(Config(0x3104), Prop.ForAll(States().ToArbitrary(), Mutation().ToArbitrary(), (states, mutation) =>
            AcceptsOnlyCanonical(Mutate(SnapshotCodec.Encode(states), mutation))));

    [Fact]
    public void Snapshot_RandomBytes_AreRefused_OrReencodeIdentically() =>
        Check.One(Config(0x3105), Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(), bytes =>
            AcceptsOnlyCanonical([FormatByte.SnapshotV1, .. bytes])));

    private static bool AcceptsOnlyCanonical(byte[] bytes)
    {
        RecordState[] decoded;
        try
        {
            decoded = SnapshotCodec.Decode(bytes);
        }
        catch (DecodeException)
        {
            return true;
        }

        return bytes.AsSpan().SequenceEqual(SnapshotCodec.Encode(decoded));
    }

    [Fact]
    public void The_same_record_twice_cannot_be_encoded()
    {
        var state = new RecordState("tasks", "r1");
        Assert.Throws<ArgumentException>(() => SnapshotCodec.Encode([state, state.Clone()]));
    }

    [Fact]
    public void Journals_and_tombstones_survive_the_round_trip()
    {
        var a = ReplicaId.FromPeerNumber(1);
        var b = ReplicaId.FromPeerNumber(2);
        var concurrent = RecordState.FromChanges("tasks", "t1",
        [
            Change.Upsert(new ChangeId(a, 1), new Stamp(10, 0, a), "tasks", "t1", VersionVector.Empty, [new FieldValue("title", Value.String("from a"))]),
            Change.Upsert(new ChangeId(b, 1), new Stamp(11, 0, b), "tasks", "t1", VersionVector.Empty, [new FieldValue("title", Value.String("from b"))]),
        ]);
        Assert.Single(concurrent.Journal);
        var deleted = RecordState.FromChanges("tasks", "t2",
            [Change.Delete(new ChangeId(a, 2), new Stamp(12, 3, a), "tasks", "t2", VersionVector.Empty)]);
        var decoded = SnapshotCodec.Decode(SnapshotCodec.Encode([deleted, concurrent]));
        Assert.True(SameStates([concurrent, deleted], decoded));
    }

    [Fact]
    public void Trailing_bytes_and_a_newer_version_are_refused()
    {
        var bytes = SnapshotCodec.Encode([new RecordState("tasks", "r1")]);
        Assert.Equal(DecodeErrorKind.TrailingBytes, Assert.Throws<DecodeException>(() => SnapshotCodec.Decode(bytes.Append((byte)1).ToArray())).Kind);
        bytes[0] = 0x32;
        Assert.Equal(DecodeErrorKind.UnknownVersion, Assert.Throws<DecodeException>(() => SnapshotCodec.Decode(bytes)).Kind);
    }
}
