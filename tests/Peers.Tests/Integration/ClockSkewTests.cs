using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Peers.Tests.Integration;

/// <summary>
/// A device whose clock runs ahead of what the relay allows edits a record among peers: a peer with a true clock does not
/// merge the change, a peer as skewed does, the relay refuses it for clock skew, the origin re-stamps it under a new id and
/// stops sharing the old one, and every copy converges with the relay. Real SQLite replicas, real Kestrel peer endpoints on
/// 127.0.0.10-12, a real relay; time is the system clock shifted per node.
/// </summary>
public sealed class ClockSkewTests : IAsyncLifetime
{
    private static readonly TimeSpan Ahead = TimeSpan.FromMinutes(10);
    private readonly ShiftedTime _relayTime = new();
    private PeerRelay _relay = null!;

    public async Task InitializeAsync() => _relay = await PeerRelay.StartAsync(time: _relayTime);

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task A_skewed_edit_is_not_merged_by_a_true_clock_peer_and_once_refused_and_restamped_every_copy_converges_with_the_relay()
    {
        var (anaTime, cleoTime) = (new ShiftedTime(), new ShiftedTime());
        var anaDevice = await _relay.Host.CreateDeviceAsync("ana", ["agent"]);
        var benDevice = await _relay.Host.CreateDeviceAsync("ben", ["agent"]);
        var cleoDevice = await _relay.Host.CreateDeviceAsync("cleo", ["agent"]);
        await using var ana = await PeerNode.CreateAsync("ana", "127.0.0.10", anaDevice.Replica, anaTime);
        await using var ben = await PeerNode.CreateAsync("ben", "127.0.0.11", benDevice.Replica, _relayTime);
        await using var cleo = await PeerNode.CreateAsync("cleo", "127.0.0.12", cleoDevice.Replica, cleoTime);
        var id = await ben.Replica.CreateAsync("incidents", Fields.Of(("title", "Cracked facade"), ("priority", 3)));
        await _relay.SyncAsync(ben, benDevice.Token);
        await _relay.SyncAsync(ana, anaDevice.Token);
        await _relay.SyncAsync(cleo, cleoDevice.Token);

        // ana's and cleo's clocks jump ten minutes ahead (the relay allows five); ana edits the record.
        (anaTime.Offset, cleoTime.Offset) = (Ahead, Ahead);
        await ana.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("priority", 1)));
        var skewed = Assert.Single(await ana.Replica.GetOutboxAsync()).Change;

        var atBen = await ben.SyncWithAsync(ana);
        Assert.Equal(1, atBen.TooFarAheadHere);
        Assert.Equal(Value.Int64(3), (await ben.Replica.GetAsync("incidents", id.Text))!["priority"]);
        Assert.Equal(0, (await ben.Replica.GetPeerVersionAsync()).Get(ana.Replica.ReplicaId)); // missing: asked for again
        Assert.Equal(0, await ben.Replica.GetHeldPeerChangeCountAsync());
        var atCleo = await cleo.SyncWithAsync(ana); // as skewed as ana: within its own bound, so it merges the change
        Assert.Equal(0, atCleo.TooFarAheadHere);
        Assert.Equal(Value.Int64(1), (await cleo.Replica.GetAsync("incidents", id.Text))!["priority"]);

        await _relay.SyncAsync(ana, anaDevice.Token);
        Assert.Equal(EntryStatus.ClockSkew, Assert.Single(await ana.Replica.GetOutboxAsync()).Status);

        // ana's clock is fixed and time passes the skewed stamp; the sync client re-stamps the entry and the relay accepts it.
        anaTime.Offset = cleoTime.Offset = _relayTime.Offset = Ahead + TimeSpan.FromMinutes(1);
        await _relay.SyncAsync(ana, anaDevice.Token);
        await _relay.SyncAsync(ana, anaDevice.Token);
        Assert.Empty(await ana.Replica.GetOutboxAsync());

        var shared = await ana.Replica.GetPeerChangesAsync(CrdtSync.Crdt.Versions.VersionVector.Empty, 100);
        Assert.Contains(skewed.Id, shared.Skipped);
        Assert.DoesNotContain(shared.Changes, c => c.Id == skewed.Id);
        await ben.SyncWithAsync(ana);
        await cleo.SyncWithAsync(ben);
        Assert.Equal(0, await ben.Replica.GetHeldPeerChangeCountAsync());
        Assert.Equal(await ana.Replica.GetPeerVersionAsync(), await ben.Replica.GetPeerVersionAsync());

        var relayState = await _relay.GetRecordAsync("incidents", id.Text);
        Assert.Equal(Value.Int64(1), relayState[new FieldName("priority")]);
        foreach (var node in new[] { ana, ben, cleo })
        {
            var state = RecordStateCodec.Decode(Convert.FromHexString(node.VisibleStates()["incidents/" + id.Text]));
            foreach (var field in relayState.Fields.Keys.Union(state.Fields.Keys))
            {
                Assert.True(relayState[field] == state[field] && relayState.Fields[field].Stamp == state.Fields[field].Stamp,
                    $"{node.Name}: {field} is {state[field]}, the relay has {relayState[field]}");
            }
        }
    }
}
