using CrdtSync.Replica.Api;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class CacheTests
{
    [Fact]
    public async Task Offline_mode_cannot_start_without_a_downloaded_cache()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await Assert.ThrowsAsync<CacheExpiredException>(() => replica.Store.EnterOfflineModeAsync());
        await replica.Store.SubscribeAsync("incidents");
        var error = await Assert.ThrowsAsync<CacheExpiredException>(() => replica.Store.EnterOfflineModeAsync());
        Assert.Contains("incidents", error.Message, StringComparison.Ordinal);
        Assert.False(replica.Store.IsInOfflineMode);
    }

    [Fact]
    public async Task A_cache_older_than_its_lifetime_reads_as_expired_and_blocks_offline_mode()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.SubscribeAsync("incidents");
        await relay.PullAsync(replica.Store, "incidents");
        Assert.Equal(CacheFreshness.Fresh, (await replica.Store.QueryAsync(new RecordQuery("incidents"))).Freshness);

        replica.Time.Advance(TimeSpan.FromDays(8));

        Assert.Equal(CacheFreshness.Expired, (await replica.Store.QueryAsync(new RecordQuery("incidents"))).Freshness);
        Assert.Equal(CacheFreshness.NotSubscribed, await replica.Store.GetFreshnessAsync("tasks"));
        await Assert.ThrowsAsync<CacheExpiredException>(() => replica.Store.EnterOfflineModeAsync());
    }

    [Fact]
    public async Task Expiry_never_drops_a_pending_entry()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.SubscribeAsync("tasks");
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        replica.Time.Advance(TimeSpan.FromDays(30));
        replica.Reopen();
        Assert.Single(await replica.Store.GetOutboxAsync());
        Assert.NotNull(await replica.Store.GetAsync("tasks", "t1"));
    }

    [Fact]
    public async Task Online_only_actions_are_refused_offline_and_absent_from_the_available_actions()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.SubscribeAsync("incidents");
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "a")))).Text;
        await replica.Store.PerformActionAsync("incidents", id, "close");
        await relay.PushAsync(replica.Store);
        await relay.PullAsync(replica.Store, "incidents");
        Assert.Equal(["reopen"], (await replica.Store.GetAvailableActionsAsync("incidents", id)).Select(a => a.Text));

        await replica.Store.EnterOfflineModeAsync();

        Assert.Empty(await replica.Store.GetAvailableActionsAsync("incidents", id));
        var error = await Assert.ThrowsAsync<ActionNotAvailableException>(() => replica.Store.PerformActionAsync("incidents", id, "reopen"));
        Assert.Equal("online_only", error.Reason);
        Assert.Empty(await replica.Store.TakePushBatchAsync(10)); // nothing is pushed in offline mode
        replica.Reopen();
        Assert.True(replica.Store.IsInOfflineMode); // kept across restarts
        await replica.Store.LeaveOfflineModeAsync();
        await replica.Store.PerformActionAsync("incidents", id, "reopen");
    }
}
