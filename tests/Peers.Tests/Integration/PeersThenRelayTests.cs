using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Peers.Tests.Support;

namespace CrdtSync.Peers.Tests.Integration;

/// <summary>Three devices of one relay sync only with each other on the LAN, then reach the relay one by one.</summary>
public sealed class PeersThenRelayTests : IAsyncLifetime
{
    private PeerRelay _relay = null!;
    private readonly List<(PeerNode Node, string Token)> _devices = [];

    public async Task InitializeAsync()
    {
        _relay = await PeerRelay.StartAsync();
        var address = 2;
        foreach (var user in new[] { "ana", "ben", "cleo" })
        {
            var credential = await _relay.Host.CreateDeviceAsync(user, ["agent"]);
            _devices.Add((await PeerNode.CreateAsync(user, $"127.0.0.{address++}", credential.Replica), credential.Token));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (node, _) in _devices)
        {
            await node.DisposeAsync();
        }

        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task Peers_that_converged_among_themselves_converge_with_the_relay_once_each_origin_has_pushed_its_own_changes()
    {
        var (ana, ben, cleo) = (_devices[0].Node, _devices[1].Node, _devices[2].Node);
        foreach (var (node, token) in _devices)
        {
            await _relay.SyncAsync(node, token, record: false); // the offline cache is downloaded before the team goes to the field
        }

        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Flooded basement"), ("priority", 3)));
        await ana.SyncWithAsync(ben);
        await ana.SyncWithAsync(cleo);
        await ben.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("title", "Flooded basement, block B")));
        await cleo.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("priority", 1)));
        await ana.Replica.PerformActionAsync("incidents", id.Text, "close");
        await ben.SyncWithAsync(cleo);
        await cleo.SyncWithAsync(ana);
        await ana.SyncWithAsync(ben);
        Assert.Equal(Value.String("open"), (await ben.Replica.GetAsync("incidents", id.Text))!["status"]); // the close waits for the relay

        // Each device reaches the relay in turn; each pushes only its own changes (the relay refuses any other origin).
        foreach (var (node, token) in _devices)
        {
            await _relay.SyncAsync(node, token, record: false);
        }

        foreach (var (node, token) in _devices)
        {
            await _relay.SyncAsync(node, token, record: false); // pull what the later ones pushed
            Assert.Empty(await node.Replica.GetOutboxAsync());
        }

        var relayState = await _relay.GetRecordAsync("incidents", id.Text);
        Assert.Equal(Value.String("closed"), relayState[new FieldName("status")]);
        Assert.Equal(Value.String("Flooded basement, block B"), relayState[new FieldName("title")]);
        Assert.Equal(Value.Int64(1), relayState[new FieldName("priority")]);
        foreach (var (node, _) in _devices)
        {
            var state = (await node.Replica.GetAsync("incidents", id.Text))!.State;
            Assert.Equal(Convert.ToHexString(RecordStateCodec.Encode(relayState)), Convert.ToHexString(RecordStateCodec.Encode(state)));
        }
    }
}
