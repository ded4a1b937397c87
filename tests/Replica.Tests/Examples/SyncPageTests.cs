using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

/// <summary>The sync-facing additions for the relay client: pages with record states, whole snapshots, device identity, backoff.</summary>
public class SyncPageTests
{
    [Fact]
    public async Task A_pulled_page_merges_whole_record_states_and_moves_every_named_cursor_in_one_step()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.SubscribeAsync("tasks");
        await replica.Store.SubscribeAsync("incidents");
        var other = new OtherDevice(2, replica.Time);
        var state = RecordState.FromChanges("tasks", "t1", [other.Upsert("tasks", "t1", VersionVector.Empty, ("title", "whole"))]);
        var change = ChangeCodec.Encode(other.Upsert("incidents", "i1", VersionVector.Empty, ("title", "as a change")));

        await replica.Store.ApplyPulledPageAsync(new PulledPage([new CollectionName("tasks"), new CollectionName("incidents")], [change], [RecordStateCodec.Encode(state)], 7, true));

        Assert.Equal("whole", (await replica.Store.GetAsync("tasks", "t1"))!["title"].AsString);
        Assert.Equal("as a change", (await replica.Store.GetAsync("incidents", "i1"))!["title"].AsString);
        Assert.All(await replica.Store.GetSubscriptionsAsync(), s => Assert.Equal(7, s.Cursor));
        Assert.All(await replica.Store.GetSubscriptionsAsync(), s => Assert.NotNull(s.DownloadedAt));
    }

    [Fact]
    public async Task A_snapshot_purges_a_confirmed_record_it_no_longer_holds_and_marks_its_pending_entry_forbidden()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.SubscribeAsync("tasks");
        var other = new OtherDevice(2, replica.Time);
        var kept = RecordState.FromChanges("tasks", "kept", [other.Upsert("tasks", "kept", VersionVector.Empty, ("title", "k"))]);
        var left = RecordState.FromChanges("tasks", "left", [other.Upsert("tasks", "left", VersionVector.Empty, ("title", "l"))]);
        await replica.Store.ApplySnapshotAsync(new SnapshotBatch([new CollectionName("tasks")], [RecordStateCodec.Encode(kept), RecordStateCodec.Encode(left)], 3));
        await replica.Store.UpdateAsync("tasks", "left", Fields(("title", "mine")));

        await replica.Store.ApplySnapshotAsync(new SnapshotBatch([new CollectionName("tasks")], [RecordStateCodec.Encode(kept)], 9));

        Assert.NotNull(await replica.Store.GetAsync("tasks", "kept"));
        Assert.Null(await replica.Store.GetAsync("tasks", "left"));
        var entry = Assert.Single(await replica.Store.GetOutboxAsync());
        Assert.Equal(EntryStatus.Forbidden, entry.Status);
        Assert.Equal(9, Assert.Single(await replica.Store.GetSubscriptionsAsync()).Cursor);
    }

    [Fact]
    public async Task A_new_replica_file_takes_the_device_id_it_is_given_and_refuses_another_one_later()
    {
        using var folder = new TempFolder();
        var device = ReplicaId.FromPeerNumber(42);
        using (var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = folder.File("r.db"), ReplicaId = device }))
        {
            Assert.Equal(device, store.ReplicaId);
        }

        var refused = Assert.Throws<ReplicaIdentityMismatchException>(() => ReplicaStore.Open(new ReplicaOptions { DatabasePath = folder.File("r.db"), ReplicaId = ReplicaId.FromPeerNumber(43) }));
        Assert.Equal(device, refused.FileId);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.CompletedTask;
    }

    [Fact]
    public void Backoff_delays_grow_from_the_minimum_to_the_maximum_and_stay_within_half_of_each_step()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(3));
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var step = Math.Min(100 * Math.Pow(2, Math.Min(attempt, 30)), 1000);
            var delay = backoff.Delay(attempt).TotalMilliseconds;
            Assert.InRange(delay, step / 2, step);
        }
    }
}
