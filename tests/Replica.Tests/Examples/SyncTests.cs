using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class SyncTests
{
    [Fact]
    public async Task A_pulled_batch_merges_into_the_confirmed_state_under_pending_edits_and_moves_the_cursor()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        var other = new OtherDevice(2, replica.Time);
        relay.Commit(other.Upsert("tasks", "t1", Crdt.Versions.VersionVector.Empty, ("title", "theirs"), ("assigned_to", "bo")));
        await relay.PullAsync(replica.Store, "tasks");
        await replica.Store.UpdateAsync("tasks", "t1", Fields(("title", "mine")));
        relay.Commit(other.Upsert("tasks", "t1", relay.StateOf("tasks", "t1").Version, ("assigned_to", "cy")));

        await relay.PullAsync(replica.Store, "tasks");

        var record = await replica.Store.GetAsync("tasks", "t1");
        Assert.Equal("mine", record!["title"].AsString); // the pending edit stays on top
        Assert.Equal("cy", record["assigned_to"].AsString); // the remote edit merged under it
        Assert.Equal(RecordStatus.Pending, record.Status);
        Assert.Equal("theirs", replica.Store.GetConfirmed("tasks", "t1")!["title"].AsString);
        Assert.Equal(2, (await replica.Store.GetSubscriptionsAsync()).Single().Cursor);
    }

    [Fact]
    public async Task A_batch_with_one_undecodable_change_is_refused_whole_and_changes_nothing()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var other = new OtherDevice(2, replica.Time);
        var good = Crdt.Encoding.ChangeCodec.Encode(other.Upsert("tasks", "t1", Crdt.Versions.VersionVector.Empty, ("title", "a")));
        byte[] bad = [.. good, 0x00];

        await Assert.ThrowsAsync<DecodeException>(() => replica.Store.ApplyPulledBatchAsync(new PulledBatch("tasks", [good, bad], 2, true)));

        Assert.Null(await replica.Store.GetAsync("tasks", "t1"));
        Assert.Empty(await replica.Store.GetSubscriptionsAsync());
    }

    [Fact]
    public async Task Applying_the_same_pulled_batch_twice_is_a_no_op()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var other = new OtherDevice(2, replica.Time);
        var bytes = Crdt.Encoding.ChangeCodec.Encode(other.Upsert("tasks", "t1", Crdt.Versions.VersionVector.Empty, ("title", "a")));
        var changed = 0;
        replica.Store.RecordChanged += (_, _) => changed++;
        await replica.Store.ApplyPulledBatchAsync(new PulledBatch("tasks", [bytes], 1, false));
        await replica.Store.ApplyPulledBatchAsync(new PulledBatch("tasks", [bytes], 1, false));
        Assert.Equal(1, changed);
        Assert.Equal("a", (await replica.Store.GetAsync("tasks", "t1"))!["title"].AsString);
    }

    [Fact]
    public async Task Its_own_change_coming_back_in_a_pull_proves_acceptance_and_removes_the_entry()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var batch = await replica.Store.TakePushBatchAsync(10);
        relay.Submit(Crdt.Encoding.ChangeCodec.Decode(batch[0].ChangeBytes), replica.Store.Principal!); // the answer is lost

        await relay.PullAsync(replica.Store, "tasks");

        Assert.Empty(await replica.Store.GetOutboxAsync());
        Assert.Equal(RecordStatus.Synced, (await replica.Store.GetAsync("tasks", "t1"))!.Status);
    }

    [Fact]
    public async Task A_revocation_purges_the_records_and_keeps_their_entries_as_forbidden_for_export()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.SubscribeAsync("tasks");
        await replica.Store.CreateAsync("tasks", Fields(("title", "synced")), id: "t1");
        await relay.PushAsync(replica.Store);
        await replica.Store.CreateAsync("tasks", Fields(("title", "pending")), id: "t2");
        await replica.Store.UpdateAsync("tasks", "t1", Fields(("title", "edited")));

        await replica.Store.ApplyRevocationAsync(new Revocation("tasks"));

        Assert.Empty((await replica.Store.QueryAsync(new RecordQuery("tasks"))).Records);
        Assert.Null(replica.Store.GetConfirmed("tasks", "t1"));
        var entries = await replica.Store.GetOutboxAsync();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal(EntryStatus.Forbidden, e.Status));
        Assert.Contains(entries, e => e.Change.TryGetField("title", out var v) && v.AsString == "edited"); // still readable
        Assert.Empty(await replica.Store.GetSubscriptionsAsync());
        Assert.Equal(RecordStatus.Error, await replica.Store.GetRecordStatusAsync("tasks", "t1"));
        Assert.Empty(await replica.Store.TakePushBatchAsync(10));
    }

    [Fact]
    public async Task A_clock_skew_refusal_is_resolved_by_retrying_with_a_new_stamp()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var entry = (await replica.Store.GetOutboxAsync()).Single();
        await replica.Store.RecordOutcomesAsync([new(entry.Change.Id, OutcomeKind.ClockSkew, "clock_skew", "ahead")]);
        Assert.Equal(EntryStatus.ClockSkew, (await replica.Store.GetOutboxAsync()).Single().Status);
        Assert.Equal(RecordStatus.Conflict, await replica.Store.GetRecordStatusAsync("tasks", "t1"));

        await replica.Store.RetryAsync(entry.EntryId);

        var retried = (await replica.Store.GetOutboxAsync()).Single();
        Assert.True(retried.Change.Stamp > entry.Change.Stamp);
        Assert.Equal(EntryStatus.Queued, retried.Status);
    }
}
