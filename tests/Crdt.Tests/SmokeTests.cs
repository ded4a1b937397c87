using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Xunit;

namespace CrdtSync.Crdt.Tests;

public class SmokeTests
{
    [Fact]
    public void A_change_round_trips_and_applies()
    {
        var a = ReplicaId.FromPeerNumber(1);
        var change = Change.Upsert(new ChangeId(a, 1), new Stamp(1000, 0, a), "tasks", "r1", VersionVector.Empty,
            [new FieldValue("title", Value.String("hello")), new FieldValue("n", Value.Int64(300)), new FieldValue("at", Value.TimestampMilliseconds(5))]);
        var bytes = ChangeCodec.Encode(change);
        var decoded = ChangeCodec.Decode(bytes);
        Assert.Equal(bytes, ChangeCodec.Encode(decoded));
        var state = new RecordState("tasks", "r1");
        Assert.Equal(ApplyOutcome.Applied, state.Apply(decoded));
        Assert.Equal(ApplyOutcome.AlreadyKnown, state.Apply(decoded));
        var stateBytes = RecordStateCodec.Encode(state);
        Assert.Equal(stateBytes, RecordStateCodec.Encode(RecordStateCodec.Decode(stateBytes)));
    }
}
