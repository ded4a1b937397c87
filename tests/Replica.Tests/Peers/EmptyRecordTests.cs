using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Peers;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Tests.Support;
using Xunit;

namespace CrdtSync.Replica.Tests.Peers;

public class EmptyRecordTests
{
    [Fact]
    public async Task A_create_whose_every_field_is_null_is_refused_as_empty_and_saves_nothing()
    {
        using var replica = await ReplicaFixture.CreateAsync();

        var error = await Assert.ThrowsAsync<InvalidChangeException>(() =>
            replica.Store.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.Null, ["priority"] = Value.Null, ["status"] = Value.Null }, id: "e1"));

        Assert.Equal("empty", error.Reason);
        Assert.Empty(await replica.Store.GetOutboxAsync());
        Assert.Null(await replica.Store.GetAsync("incidents", "e1"));
    }

    [Fact]
    public async Task A_record_a_compensation_left_without_any_value_is_absent_and_can_be_created_again_here()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var peer = ReplicaId.FromPeerNumber(7);
        var relay = ReplicaId.FromPeerNumber(8);
        var create = Change.Upsert(new ChangeId(peer, 1), new Stamp(1_700_000_000_000, 0, peer), "incidents", "v1", VersionVector.Empty,
            [new FieldValue("title", Value.String("Refused")), new FieldValue("status", Value.String("open"))]);
        var compensation = Change.Upsert(new ChangeId(relay, 1), new Stamp(1_700_000_000_001, 0, relay), "incidents", "v1", VersionVector.Empty.With(create.Id),
            [new FieldValue("title", Value.Null), new FieldValue("status", Value.Null)]);
        await replica.Store.ApplyPeerChangesAsync(new PeerChangeSet([create, compensation], []));

        Assert.Null(await replica.Store.GetAsync("incidents", "v1"));
        await replica.Store.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.String("Again") }, id: "v1");

        var created = await replica.Store.GetAsync("incidents", "v1");
        Assert.Equal(Value.String("Again"), created!["title"]);
        Assert.True(Assert.Single(await replica.Store.GetOutboxAsync()).Change.Base.Includes(compensation.Id));
    }
}
