using CrdtSync.Crdt.Values;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Peers;
using Grpc.Core;

namespace CrdtSync.Peers.Tests.Integration;

/// <summary>Three replicas serving peers on 127.0.0.2, .3 and .4 (real Kestrel, h2c), syncing only with each other.</summary>
public sealed class ThreePeerTests : IAsyncLifetime
{
    private PeerNode _ana = null!;
    private PeerNode _ben = null!;
    private PeerNode _cleo = null!;

    public async Task InitializeAsync()
    {
        _ana = await PeerNode.CreateAsync("ana", "127.0.0.2");
        _ben = await PeerNode.CreateAsync("ben", "127.0.0.3");
        _cleo = await PeerNode.CreateAsync("cleo", "127.0.0.4");
    }

    public async Task DisposeAsync()
    {
        await _ana.DisposeAsync();
        await _ben.DisposeAsync();
        await _cleo.DisposeAsync();
    }

    [Fact]
    public async Task Three_peers_with_concurrent_edits_of_the_same_records_converge_to_byte_equal_states()
    {
        var shared = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Pump failure"), ("priority", 3)));
        await _ana.SyncWithAsync(_ben);
        await _ana.SyncWithAsync(_cleo);

        // Concurrent, offline from each other: same field, different fields, new records.
        await _ana.Replica.UpdateAsync("incidents", shared.Text, Fields.Of(("title", "Pump failure at gate 3")));
        await _ben.Replica.UpdateAsync("incidents", shared.Text, Fields.Of(("title", "Pump down")));
        await _cleo.Replica.UpdateAsync("incidents", shared.Text, Fields.Of(("priority", 1), ("description", "water on the floor")));
        await _ben.Replica.CreateAsync("incidents", Fields.Of(("title", "Door jammed")));
        await _cleo.Replica.CreateAsync("tasks", Fields.Of(("title", "Bring a mop"), ("incident", shared.Text)));

        await SyncRingAsync();

        var expected = _ana.VisibleStates();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, _ben.VisibleStates());
        Assert.Equal(expected, _cleo.VisibleStates());
        var record = (await _cleo.Replica.GetAsync("incidents", shared.Text))!;
        Assert.Equal(Value.Int64(1), record["priority"]);
        Assert.Equal(Value.String("water on the floor"), record["description"]);
    }

    [Fact]
    public async Task A_partitioned_peer_catches_up_and_is_caught_up_with_when_the_partition_heals()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Generator noise")));
        await SyncRingAsync();

        // Partition: Cleo's link is down; Ana and Ben keep syncing with each other.
        var cleoAddress = _cleo.Address;
        await _cleo.StopServingAsync();
        await _ana.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("priority", 2)));
        await _ben.Replica.CreateAsync("incidents", Fields.Of(("title", "Fence cut")));
        await _cleo.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("description", "only at night")));
        await _ana.SyncWithAsync(_ben);
        var refused = await Assert.ThrowsAsync<PeerUnreachableException>(() => _ana.Client.SyncWithAsync(cleoAddress));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal(_ana.VisibleStates(), _ben.VisibleStates());
        Assert.NotEqual(_ana.VisibleStates(), _cleo.VisibleStates());

        // Heal: Cleo serves again and one round with Ben brings both sides up to date.
        await _cleo.ServeAsync("127.0.0.4");
        var report = await _ben.SyncWithAsync(_cleo);
        Assert.Equal(1, report.Received);
        Assert.Equal(2, report.Sent); // Ana's edit and Ben's new incident
        await _ana.SyncWithAsync(_cleo);
        Assert.Equal(_ana.VisibleStates(), _ben.VisibleStates());
        Assert.Equal(_ana.VisibleStates(), _cleo.VisibleStates());
    }

    [Fact]
    public async Task A_second_round_between_synced_peers_moves_no_change()
    {
        await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Leak")));
        await _ben.Replica.CreateAsync("incidents", Fields.Of(("title", "Smoke")));
        var first = await _ana.SyncWithAsync(_ben);
        Assert.Equal((1, 1), (first.Received, first.Sent));

        var second = await _ana.SyncWithAsync(_ben);
        Assert.Equal((0, 0), (second.Received, second.Sent));
    }

    [Fact]
    public async Task A_peer_with_another_team_credential_is_refused_as_unauthenticated_and_learns_nothing()
    {
        await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Secret plans")));
        using var stranger = new PeerClient(_cleo.Replica, new PeerClientOptions { TeamSecret = "another-team-secret-entirely" });

        var refused = await Assert.ThrowsAsync<PeerUnreachableException>(() => stranger.SyncWithAsync(_ana.Address));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Empty(_cleo.VisibleStates());
    }

    [Fact]
    public async Task A_guarded_action_made_among_peers_stays_pending_and_nothing_of_it_shows_as_applied_on_the_others()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Broken window")));
        await _ana.SyncWithAsync(_ben);
        await _ana.Replica.PerformActionAsync("incidents", id.Text, "close");
        await _ana.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("priority", 4)));

        var report = await _ana.SyncWithAsync(_ben);

        Assert.Equal(2, report.Sent); // the close as a skipped id, the edit as a change
        var atAna = (await _ana.Replica.GetAsync("incidents", id.Text))!;
        var atBen = (await _ben.Replica.GetAsync("incidents", id.Text))!;
        Assert.Equal(Value.String("closed"), atAna["status"]); // optimistic, Ana's own pending entry
        Assert.Equal(Value.String("open"), atBen["status"]);
        Assert.Equal(Value.Int64(4), atBen["priority"]);
        Assert.Equal(0, await _ben.Replica.GetHeldPeerChangeCountAsync());
        Assert.Empty(await _ben.Replica.GetOutboxAsync());
    }

    [Fact]
    public async Task A_held_change_pushed_out_of_order_is_released_when_its_predecessor_arrives_from_another_peer()
    {
        var raw = new Protocol.V1.Peer.PeerClient(Grpc.Net.Client.GrpcChannel.ForAddress(_ben.Address));
        var headers = new Metadata { { "authorization", "Bearer " + PeerNode.TeamSecret } };
        var second = PeerWire.ToWire(new PeerChangeSet([Changes.Upsert(77, 2, "inc-77", "second")], []));
        var pushed = await raw.PushAsync(new Protocol.V1.PeerPushRequest { Changes = second }, headers);
        Assert.Equal((0, 1), (pushed.Applied, pushed.Held));
        Assert.Empty(_ben.VisibleStates());

        await _ana.Replica.ApplyPeerChangesAsync(new PeerChangeSet([Changes.Upsert(77, 1, "inc-77", "first")], []));
        var report = await _ana.SyncWithAsync(_ben);

        Assert.Equal(2, report.Sent); // the predecessor, and the held change released with it
        Assert.Equal(0, report.HeldThere);
        var record = (await _ben.Replica.GetAsync("incidents", "inc-77"))!;
        Assert.Equal(Value.String("second"), record["title"]);
    }

    [Fact]
    public async Task A_peer_pushing_a_guarded_change_is_refused_as_invalid_argument_and_nothing_is_applied()
    {
        var raw = new Protocol.V1.Peer.PeerClient(Grpc.Net.Client.GrpcChannel.ForAddress(_ben.Address));
        var headers = new Metadata { { "authorization", "Bearer " + PeerNode.TeamSecret } };
        var wire = PeerWire.ToWire(new PeerChangeSet([Changes.Upsert(5, 1, "inc-5", "made"), Changes.Close(5, 2, "inc-5")], []));

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await raw.PushAsync(new Protocol.V1.PeerPushRequest { Changes = wire }, headers));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Empty(_ben.VisibleStates());
    }

    [Fact]
    public async Task Serving_peers_on_a_non_loopback_address_without_tls_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PeerServer.StartAsync(_ana.Replica, new PeerServerOptions { ListenAddress = "0.0.0.0", TeamSecret = PeerNode.TeamSecret }));
        Assert.Contains("without TLS", error.Message, StringComparison.Ordinal);
    }

    private async Task SyncRingAsync()
    {
        await _ana.SyncWithAsync(_ben);
        await _ben.SyncWithAsync(_cleo);
        await _cleo.SyncWithAsync(_ana);
        await _ana.SyncWithAsync(_ben);
    }
}
