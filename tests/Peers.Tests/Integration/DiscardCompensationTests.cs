using CrdtSync.Crdt.Values;
using CrdtSync.Peers.Tests.Support;

namespace CrdtSync.Peers.Tests.Integration;

/// <summary>
/// Discarding a plain upsert that peers may have merged: the relay will never decide it, so the origin queues its own
/// compensating upsert, shared like any edit, and the peers converge back. Real replicas and peer endpoints on 127.0.0.x.
/// </summary>
public sealed class DiscardCompensationTests
{
    [Fact]
    public async Task Discarding_a_shared_edit_queues_an_own_compensation_that_brings_the_peers_back_to_the_value_before_it()
    {
        await using var ana = await PeerNode.CreateAsync("ana", "127.0.0.6");
        await using var ben = await PeerNode.CreateAsync("ben", "127.0.0.7");
        var id = await ben.Replica.CreateAsync("incidents", Fields.Of(("title", "Broken window"), ("priority", 3)));
        await ben.SyncWithAsync(ana);
        await ana.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("title", "Broken window, ground floor"), ("priority", 1)));
        await ana.SyncWithAsync(ben);
        Assert.Equal(Value.Int64(1), (await ben.Replica.GetAsync("incidents", id.Text))!["priority"]);

        var edit = Assert.Single(await ana.Replica.GetOutboxAsync());
        await ana.Replica.DiscardAsync(edit.EntryId);
        await ben.SyncWithAsync(ana);

        var compensation = Assert.Single(await ana.Replica.GetOutboxAsync()).Change;
        Assert.True(compensation.Base.Includes(edit.Change.Id));
        Assert.Equal(ana.VisibleStates()["incidents/" + id.Text], ben.VisibleStates()["incidents/" + id.Text]);
        var atBen = (await ben.Replica.GetAsync("incidents", id.Text))!;
        Assert.Equal((Value.String("Broken window"), Value.Int64(3)), (atBen["title"], atBen["priority"]));
    }

    [Fact]
    public async Task Discarding_a_shared_create_makes_the_record_vanish_on_the_peers_and_an_unshared_discard_queues_nothing()
    {
        await using var ana = await PeerNode.CreateAsync("ana", "127.0.0.8");
        await using var ben = await PeerNode.CreateAsync("ben", "127.0.0.9");
        var shared = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Fallen tree")));
        await ana.SyncWithAsync(ben);
        var unshared = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Never shown")));

        foreach (var entry in await ana.Replica.GetOutboxAsync())
        {
            await ana.Replica.DiscardAsync(entry.EntryId);
        }

        await ben.SyncWithAsync(ana);

        var compensation = Assert.Single(await ana.Replica.GetOutboxAsync()).Change;
        Assert.Equal(shared, compensation.RecordId);
        Assert.All(compensation.Fields, f => Assert.True(f.Value.IsNull));
        Assert.Null(await ben.Replica.GetAsync("incidents", shared.Text));
        Assert.Null(await ana.Replica.GetAsync("incidents", shared.Text));
        Assert.Null(await ana.Replica.GetAsync("incidents", unshared.Text));
    }
}
