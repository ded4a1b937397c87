using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Peers.Tests.Integration;

/// <summary>
/// Peers merge a change, the relay refuses it and compensates, and every copy converges with the relay, including one
/// that never reaches the relay (it gets the compensation through a peer that recorded it). Real SQLite replicas, real
/// Kestrel peer endpoints on 127.0.0.2-4, a real relay.
/// </summary>
public sealed class RelayRejectionTests : IAsyncLifetime
{
    private readonly List<(PeerNode Node, string Token)> _devices = [];
    private PeerRelay _relay = null!;

    public async Task InitializeAsync()
    {
        _relay = await PeerRelay.StartAsync();
        var address = 2;
        foreach (var user in new[] { "ana", "ben", "cleo" })
        {
            var credential = await _relay.Host.CreateDeviceAsync(user, ["agent"]);
            _devices.Add((await PeerNode.CreateAsync(user, $"127.0.0.{address++}", credential.Replica), credential.Token));
        }

        foreach (var (node, token) in _devices)
        {
            await _relay.SyncAsync(node, token); // the offline cache is downloaded before the team goes to the field
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
    public async Task A_create_peers_merged_that_the_relay_refuses_vanishes_everywhere_stays_in_its_origins_outbox_and_once_resolved_is_accepted_by_all()
    {
        var ((ana, anaToken), (ben, benToken), (cleo, _)) = (_devices[0], _devices[1], _devices[2]);

        // While the team is in the field, the relay's rules get stricter: incident titles of at most 20 characters.
        var title = "\"title\":       { \"type\": \"string\", \"required\": true, \"maxLength\": 200 }";
        var strict = PeerNode.SampleJson;
        var at = strict.IndexOf(title, StringComparison.Ordinal);
        Assert.True(at >= 0);
        await _relay.RestartAsync(strict[..at] + title.Replace("200", "20", StringComparison.Ordinal) + strict[(at + title.Length)..]);

        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Flooded basement, block B, north stairs"), ("priority", 2)));
        await ana.SyncWithAsync(ben);
        await ben.SyncWithAsync(cleo);
        Assert.NotNull(await cleo.Replica.GetAsync("incidents", id.Text));

        await _relay.SyncAsync(ana, anaToken);
        var refused = Assert.Single(await ana.Replica.GetOutboxAsync());
        Assert.Equal(EntryStatus.Invalid, refused.Status);
        Assert.Null(await ana.Replica.GetAsync("incidents", id.Text));
        await _relay.SyncAsync(ben, benToken);
        await cleo.SyncWithAsync(ben); // cleo never reaches the relay: the compensation comes through ben
        await AssertConvergedAsync(id.Text, exists: false);
        Assert.Equal(refused.EntryId, Assert.Single(await ana.Replica.GetOutboxAsync()).EntryId);

        await ana.Replica.ResolveAsync(refused.EntryId, Fields.Of(("title", "Flooded basement"), ("priority", 2), ("status", "open")));
        await _relay.SyncAsync(ana, anaToken);
        Assert.Empty(await ana.Replica.GetOutboxAsync());
        await _relay.SyncAsync(ben, benToken);
        await cleo.SyncWithAsync(ben);
        var accepted = await AssertConvergedAsync(id.Text, exists: true);
        Assert.Equal(Value.String("Flooded basement"), accepted[new FieldName("title")]);
        Assert.Equal(Value.Int64(2), accepted[new FieldName("priority")]);
    }

    [Fact]
    public async Task An_edit_peers_merged_that_the_relay_refuses_as_a_conflict_gives_way_to_the_relays_value_on_every_copy()
    {
        var ((ana, anaToken), (ben, benToken), (cleo, cleoToken)) = (_devices[0], _devices[1], _devices[2]);
        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Leaking pipe")));
        await _relay.SyncAsync(ana, anaToken);
        await _relay.SyncAsync(ben, benToken);
        await _relay.SyncAsync(cleo, cleoToken);

        await ben.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("resolution", "Pipe replaced")));
        await _relay.SyncAsync(ben, benToken);
        await ana.Replica.UpdateAsync("incidents", id.Text, Fields.Of(("resolution", "Still leaking"))); // has not seen ben's
        await ana.SyncWithAsync(cleo);
        Assert.Equal(Value.String("Still leaking"), (await cleo.Replica.GetAsync("incidents", id.Text))!["resolution"]);

        await _relay.SyncAsync(ana, anaToken);
        Assert.Equal(EntryStatus.Conflict, Assert.Single(await ana.Replica.GetOutboxAsync()).Status);
        await _relay.SyncAsync(cleo, cleoToken);
        await _relay.SyncAsync(ben, benToken);

        var converged = await AssertConvergedAsync(id.Text, exists: true);
        Assert.Equal(Value.String("Pipe replaced"), converged[new FieldName("resolution")]);
    }

    [Fact]
    public async Task A_first_relay_download_keeps_a_record_that_so_far_exists_only_among_peers()
    {
        var credential = await _relay.Host.CreateDeviceAsync("dan", ["agent"]);
        await using var dan = await PeerNode.CreateAsync("dan", "127.0.0.5", credential.Replica);
        var (ana, _) = _devices[0];
        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Gas smell")));
        await ana.SyncWithAsync(dan);

        await _relay.SyncAsync(dan, credential.Token); // ana has not pushed yet: the relay does not have the record

        Assert.Equal(Value.String("Gas smell"), (await dan.Replica.GetAsync("incidents", id.Text))!["title"]);
        Assert.Empty(await dan.Replica.GetOutboxAsync());
    }

    [Fact]
    public async Task An_actions_effect_reaches_a_peer_that_never_reaches_the_relay_through_one_that_recorded_it()
    {
        var ((ana, anaToken), (_, _), (cleo, _)) = (_devices[0], _devices[1], _devices[2]);
        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Blocked drain")));
        await ana.Replica.PerformActionAsync("incidents", id.Text, "close");
        await ana.SyncWithAsync(cleo);
        Assert.Equal(Value.String("open"), (await cleo.Replica.GetAsync("incidents", id.Text))!["status"]); // the close waits for the relay

        await _relay.SyncAsync(ana, anaToken);
        await cleo.SyncWithAsync(ana);

        var closed = (await cleo.Replica.GetAsync("incidents", id.Text))!;
        Assert.Equal((Value.String("closed"), Value.String("ana")), (closed["status"], closed["closed_by"]));
        Assert.Equal(0, await cleo.Replica.GetHeldPeerChangeCountAsync());
    }

    [Fact]
    public async Task The_compensation_of_a_discarded_shared_create_is_accepted_by_the_relay_and_nothing_of_the_record_remains_visible()
    {
        var ((ana, anaToken), (ben, benToken), _) = (_devices[0], _devices[1], _devices[2]);
        var id = await ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Wrong address")));
        await ana.SyncWithAsync(ben);
        await ana.Replica.DiscardAsync(Assert.Single(await ana.Replica.GetOutboxAsync()).EntryId);

        await _relay.SyncAsync(ana, anaToken);
        await ben.SyncWithAsync(ana);
        await _relay.SyncAsync(ben, benToken);

        Assert.Empty(await ana.Replica.GetOutboxAsync());
        Assert.Empty(await ben.Replica.GetOutboxAsync());
        Assert.Null(await ana.Replica.GetAsync("incidents", id.Text));
        Assert.Null(await ben.Replica.GetAsync("incidents", id.Text));
    }

    /// <summary>Every node's visible record has the relay's values on every field; returns the relay's state.</summary>
    private async Task<RecordState> AssertConvergedAsync(string id, bool exists)
    {
        var relayState = await _relay.GetRecordAsync("incidents", id);
        Assert.Equal(exists, relayState.Exists);
        foreach (var (node, _) in _devices)
        {
            var snapshot = await node.Replica.GetAsync("incidents", id);
            Assert.Equal(exists, snapshot is not null);
            var state = RecordStateCodec.Decode(Convert.FromHexString(node.VisibleStates()["incidents/" + id]));
            foreach (var field in relayState.Fields.Keys.Union(state.Fields.Keys))
            {
                Assert.True(relayState[field] == state[field], $"{node.Name}: {field} is {state[field]}, the relay has {relayState[field]}");
            }
        }

        return relayState;
    }
}
