using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.EndToEnd.Tests.Support;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.Time.Testing;

namespace CrdtSync.EndToEnd.Tests.Story;

/// <summary>Story lines 9 and 10, and the client's own promises: live sync, offline silence, reports, status, identity.</summary>
public sealed class ConnectivityTests
{
    [Fact]
    public async Task An_expired_cache_refuses_offline_mode_until_a_fresh_download()
    {
        await using var relay = await StoryRelay.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var alice = await StoryDevice.CreateAsync(relay, "alice", ["agent"], replicaTime: time, start: false);
        await alice.Client.SyncAllAsync();
        await alice.Replica.EnterOfflineModeAsync();
        await alice.Replica.LeaveOfflineModeAsync();

        time.Advance(TimeSpan.FromDays(8));

        await Assert.ThrowsAsync<CacheExpiredException>(() => alice.Replica.EnterOfflineModeAsync());
        await alice.Client.SyncAllAsync();
        await alice.Replica.EnterOfflineModeAsync();
        Assert.True(alice.Replica.IsInOfflineMode);
    }

    [Fact]
    public async Task When_the_relay_stops_and_comes_back_the_outbox_drains_by_itself_with_each_change_logged_once()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Relay.StopAsync();

        for (var i = 1; i <= 5; i++)
        {
            await story.Alice.UpdateAsync("incidents", "inc-1", "description", $"note {i}");
        }

        await Eventually.TrueAsync(() => Task.FromResult(story.Alice.Client.Status.State == SyncState.Reconnecting), "Alice's client notices the relay is gone");
        Assert.Equal(5, (await story.Alice.Client.GetStatusAsync()).PendingCount);
        await story.Relay.RestartAsync();

        // No new local write: the backoff retry alone brings the outbox to the relay.
        await story.Alice.FullySyncedAsync();
        await Eventually.TrueAsync(async () => await story.Bob.TextAsync("incidents", "inc-1", "description") == "note 5", "Bob sees Alice's last note live");

        using var channel = RelayChannels.ForAddress(story.Relay.Address, story.Bob.Credential.Token);
        var log = new List<ChangeId>();
        var cursor = 0L;
        while (true)
        {
            var request = new PullRequest { Cursor = cursor };
            request.Subscriptions.Add(new Protocol.V1.Subscription { Collection = "incidents" });
            var page = await new Protocol.V1.Sync.SyncClient(channel).PullAsync(request);
            log.AddRange(page.Entries.Select(e => ChangeCodec.Decode(e.Change.Memory).Id));
            cursor = page.NextCursor;
            if (page.CaughtUp)
            {
                break;
            }
        }

        var fromAlice = log.Where(id => id.Origin == story.Alice.Replica.ReplicaId).ToList();
        Assert.Equal(5, fromAlice.Count);
        Assert.Equal(fromAlice.Count, fromAlice.Distinct().Count());
    }

    [Fact]
    public async Task A_change_made_on_one_device_reaches_the_other_without_anyone_asking_for_a_sync()
    {
        await using var story = await Support.Story.StartAsync();

        await story.Bob.UpdateAsync("incidents", "inc-2", "description", "gate motor replaced");

        await Eventually.TrueAsync(async () => await story.Alice.TextAsync("incidents", "inc-2", "description") == "gate motor replaced", "Alice sees Bob's edit");
        await story.Bob.FullySyncedAsync();
    }

    [Fact]
    public async Task The_sync_client_never_calls_the_relay_while_the_replica_is_in_offline_mode()
    {
        await using var relay = await StoryRelay.StartAsync();
        CountingTransport? counting = null;
        await using var alice = await StoryDevice.CreateAsync(relay, "alice", ["agent"], wrap: inner => counting = new CountingTransport(inner));
        await alice.LiveAsync();
        await alice.Replica.EnterOfflineModeAsync();
        var before = counting!.Calls;

        await alice.Replica.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.String("Made offline") }, "inc-9");
        await alice.UpdateAsync("incidents", "inc-9", "description", "still offline");
        await Assert.ThrowsAsync<OfflineModeException>(() => alice.Client.SyncAllAsync());
        Assert.Equal(SyncState.Offline, alice.Client.Status.State);
        Assert.Equal(2, (await alice.Client.GetStatusAsync()).PendingCount);
        Assert.Equal(before, counting.Calls);

        await alice.Replica.LeaveOfflineModeAsync();
        await alice.FullySyncedAsync();
        Assert.True(counting.Calls > before);
        counting.Dispose();
    }

    [Fact]
    public async Task Sync_all_reports_what_it_pushed_what_was_accepted_or_refused_and_what_it_pulled()
    {
        await using var story = await Support.Story.StartAsync();
        await using var carol = await StoryDevice.CreateAsync(story.Relay, "carol", ["agent"], start: false);
        var first = await carol.Client.SyncAllAsync();
        Assert.Equal((0, 0, 0), (first.Pushed, first.Accepted, first.Refused));
        Assert.Equal(3, first.Pulled);

        await story.Bob.Replica.PerformActionAsync("incidents", "inc-1", "close");
        await story.Bob.Client.SyncAllAsync();
        await carol.UpdateAsync("incidents", "inc-1", "description", "carol was here");
        await carol.UpdateAsync("incidents", "inc-2", "description", "and here");
        await carol.Replica.PerformActionAsync("incidents", "inc-1", "close");
        var report = await carol.Client.SyncAllAsync();

        Assert.Equal((3, 2, 1), (report.Pushed, report.Accepted, report.Refused));
        Assert.True(report.Pulled >= 1);
        Assert.True(report.CaughtUp);
        Assert.Equal(0, report.PendingCount);
    }

    [Fact]
    public async Task The_status_says_whether_the_replica_is_fully_synced_up_to_which_cursor_and_when_it_last_heard_from_the_relay()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Alice.FullySyncedAsync();
        var synced = await story.Alice.Client.GetStatusAsync();
        var head = (await story.Relay.Admin.GetLogInfoAsync(new GetLogInfoRequest())).LogHead;
        Assert.True(synced.IsFullySynced);
        Assert.Equal(head, synced.Cursor);
        Assert.NotNull(synced.LastContact);

        await story.Alice.Replica.EnterOfflineModeAsync();
        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "pending");
        var pending = await story.Alice.Client.GetStatusAsync();
        Assert.False(pending.IsFullySynced);
        Assert.Equal(1, pending.PendingCount);
        Assert.Equal(SyncState.Offline, pending.State);
    }

    [Fact]
    public async Task A_replica_file_made_for_another_device_is_refused_by_the_handshake_and_by_open()
    {
        await using var relay = await StoryRelay.StartAsync();
        var credential = await relay.Host.CreateDeviceAsync("alice", ["agent"]);
        var folder = Path.Combine(Path.GetTempPath(), "crdtsync-e2e-replica", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "replica.db");
        using (var stranger = ReplicaStore.Open(new ReplicaOptions { DatabasePath = path }))
        {
            await using var client = new SyncClient(stranger, new GrpcTransportFor(relay, credential.Token).Transport, Support.Story.ClientOptions(relay.Address, credential.Token));
            var refused = await Assert.ThrowsAsync<ReplicaIdentityMismatchException>(() => client.SyncAllAsync());
            Assert.Equal(credential.Replica, refused.DeviceId);
        }

        Assert.Throws<ReplicaIdentityMismatchException>(() => ReplicaStore.Open(new ReplicaOptions { DatabasePath = path, ReplicaId = credential.Replica }));

        var identity = await SyncClient.GetDeviceIdentityAsync(Support.Story.ClientOptions(relay.Address, credential.Token));
        Assert.Equal(credential.Replica, identity.ReplicaId);
        Assert.Equal("alice", identity.User);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private sealed class GrpcTransportFor(StoryRelay relay, string token)
    {
        public Replica.Transport.IRelayTransport Transport { get; } = Replica.Transport.GrpcRelayTransport.Create(Support.Story.ClientOptions(relay.Address, token));
    }
}
