using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class OutboxTests
{
    [Fact]
    public async Task An_accepted_action_is_removed_and_the_relays_effects_become_the_confirmed_state()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        await replica.Store.PerformActionAsync("incidents", id, "close");

        var outcomes = await relay.PushAsync(replica.Store);

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Outcome));
        Assert.Empty(await replica.Store.GetOutboxAsync());
        var record = await replica.Store.GetAsync("incidents", id);
        Assert.Equal(RecordStatus.Synced, record!.Status);
        Assert.Equal("closed", record["status"].AsString);
        Assert.Equal(relay.Id, record.State.Fields[new FieldName("status")].Writer.Origin); // the relay's effect won
        Assert.Equal(Crdt.Encoding.RecordStateCodec.Encode(relay.StateOf("incidents", id)), Crdt.Encoding.RecordStateCodec.Encode(record.State));
    }

    [Fact]
    public async Task A_refused_action_locks_its_record_and_shows_the_reason_and_the_authoritys_values()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        var other = new OtherDevice(2, replica.Time);
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        await relay.PushAsync(replica.Store);
        await replica.Store.PerformActionAsync("incidents", id, "close");
        relay.Commit(other.Upsert("incidents", id, relay.StateOf("incidents", id).Version, ("status", "closed"))); // closed elsewhere first

        var outcome = Assert.Single(await relay.PushAsync(replica.Store));

        Assert.Equal(OutcomeKind.Conflict, outcome.Outcome);
        var entry = Assert.Single(await replica.Store.GetOutboxAsync());
        Assert.Equal(EntryStatus.Conflict, entry.Status);
        Assert.Equal("guard_failed", entry.Reason);
        Assert.Contains("closed", entry.Message!, StringComparison.Ordinal);
        Assert.Equal("closed", entry.AuthorityState!["status"].AsString);
        var record = await replica.Store.GetAsync("incidents", id);
        Assert.Equal(RecordStatus.Conflict, record!.Status);
        var locked = await Assert.ThrowsAsync<RecordLockedException>(() => replica.Store.UpdateAsync("incidents", id, Fields(("title", "y"))));
        Assert.Equal(entry.EntryId, locked.EntryId);
        Assert.Empty(await replica.Store.GetAvailableActionsAsync("incidents", id));
    }

    [Fact]
    public async Task Discarding_a_refused_entry_restores_exactly_the_relays_state()
    {
        using var replica = await ReplicaFixture.CreateAsync(roles: ["agent"]);
        var relay = new FakeRelay(replica.Time);
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        await relay.PushAsync(replica.Store);
        await replica.Store.UpdateAsync("incidents", id, Fields(("title", "mine"), ("priority", 4)));
        await replica.Store.UpdateAsync("incidents", id, Fields(("description", "later")));
        relay.Commit(new OtherDevice(2, replica.Time).Delete("incidents", id, relay.StateOf("incidents", id).Version));

        await relay.PushAsync(replica.Store);
        var entries = await replica.Store.GetOutboxAsync();
        Assert.All(entries, e => Assert.Equal(EntryStatus.Deleted, e.Status));
        Assert.Equal(RecordStatus.Error, await replica.Store.GetRecordStatusAsync("incidents", id));
        await Assert.ThrowsAsync<EntryNotResolvableException>(() => replica.Store.RetryAsync(entries[0].EntryId));

        foreach (var entry in entries)
        {
            await replica.Store.DiscardAsync(entry.EntryId);
        }

        Assert.Empty(await replica.Store.GetOutboxAsync());
        Assert.Null(await replica.Store.GetAsync("incidents", id)); // deleted at the relay, and so here
        Assert.True(replica.Store.GetConfirmed("incidents", id)!.IsDeleted);
    }

    [Fact]
    public async Task Discarding_a_pending_edit_rolls_the_record_back_to_the_confirmed_state()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        await relay.PushAsync(replica.Store);
        await replica.Store.UpdateAsync("incidents", id, Fields(("title", "y")));
        await replica.Store.DeleteAsync("incidents", id);
        var entries = await replica.Store.GetOutboxAsync();

        await replica.Store.DiscardAsync(entries[1].EntryId);
        Assert.Equal("y", (await replica.Store.GetAsync("incidents", id))!["title"].AsString);
        await replica.Store.DiscardAsync(entries[0].EntryId);

        var record = await replica.Store.GetAsync("incidents", id);
        Assert.Equal("x", record!["title"].AsString);
        Assert.Equal(RecordStatus.Synced, record.Status);
    }

    [Fact]
    public async Task Discarding_a_local_create_removes_the_record()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = (await replica.Store.CreateAsync("tasks", Fields(("title", "x")))).Text;
        await replica.Store.DiscardAsync((await replica.Store.GetOutboxAsync()).Single().EntryId);
        Assert.Null(await replica.Store.GetAsync("tasks", id));
        await Assert.ThrowsAsync<OutboxEntryNotFoundException>(() => replica.Store.DiscardAsync(1));
    }

    [Fact]
    public async Task Resolving_an_invalid_entry_with_new_fields_requeues_it_with_a_new_change_id_and_it_is_accepted()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        var entry = (await replica.Store.GetOutboxAsync()).Single();
        await replica.Store.TakePushBatchAsync(10);
        await replica.Store.RecordOutcomesAsync([new(entry.Change.Id, OutcomeKind.Invalid, "rule", "'title' is too long here.")]);
        Assert.Equal(EntryStatus.Invalid, (await replica.Store.GetOutboxAsync()).Single().Status);
        Assert.Equal(RecordStatus.Conflict, await replica.Store.GetRecordStatusAsync("incidents", id));
        Assert.Null(await replica.Store.GetAsync("incidents", id)); // a refused create is not shown

        await replica.Store.ResolveAsync(entry.EntryId, Fields(("title", "short")));

        var resolved = (await replica.Store.GetOutboxAsync()).Single();
        Assert.Equal(entry.EntryId, resolved.EntryId);
        Assert.Equal(EntryStatus.Queued, resolved.Status);
        Assert.True(resolved.Change.Id.Sequence > entry.Change.Id.Sequence);
        Assert.Equal("short", (await replica.Store.GetAsync("incidents", id))!["title"].AsString);
        await new FakeRelay(replica.Time).PushAsync(replica.Store);
        Assert.Empty(await replica.Store.GetOutboxAsync());
    }

    [Fact]
    public async Task Retrying_a_conflicting_manual_field_edit_on_the_current_state_is_accepted()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x"), ("resolution", "a")))).Text;
        await relay.PushAsync(replica.Store);
        await replica.Store.UpdateAsync("incidents", id, Fields(("resolution", "mine")));
        relay.Commit(new OtherDevice(2, replica.Time).Upsert("incidents", id, relay.StateOf("incidents", id).Version, ("resolution", "theirs")));
        await relay.PushAsync(replica.Store);
        var entry = (await replica.Store.GetOutboxAsync()).Single();
        Assert.Equal("manual_field_changed", entry.Reason);
        Assert.Equal("theirs", (await replica.Store.GetAsync("incidents", id))!["resolution"].AsString);

        await replica.Store.RetryAsync(entry.EntryId);
        await relay.PushAsync(replica.Store);

        Assert.Empty(await replica.Store.GetOutboxAsync());
        Assert.Equal("mine", (await replica.Store.GetAsync("incidents", id))!["resolution"].AsString);
    }

    [Fact]
    public async Task A_failed_entry_holds_back_only_its_own_record_and_other_records_keep_syncing()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var a = (await replica.Store.CreateAsync("tasks", Fields(("title", "a")))).Text;
        var entryA = (await replica.Store.GetOutboxAsync()).Single();
        await replica.Store.TakePushBatchAsync(10);
        await replica.Store.RecordOutcomesAsync([new(entryA.Change.Id, OutcomeKind.Conflict, "x", "conflict")]);
        var b = (await replica.Store.CreateAsync("tasks", Fields(("title", "b")))).Text;

        var batch = await replica.Store.TakePushBatchAsync(10);

        Assert.Equal([b], batch.Select(p => Crdt.Encoding.ChangeCodec.Decode(p.ChangeBytes).RecordId.Text));
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task A_re_pushed_change_gets_the_first_outcome_and_the_entry_stays_until_accepted()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")));
        var first = await replica.Store.TakePushBatchAsync(10);
        var second = await replica.Store.TakePushBatchAsync(10); // the push was lost; in-flight entries are handed out again
        Assert.Equal(first.Select(p => p.ChangeId), second.Select(p => p.ChangeId));
        Assert.Equal(EntryStatus.InFlight, (await replica.Store.GetOutboxAsync()).Single().Status);

        await relay.PushAsync(replica.Store);
        Assert.Empty(await replica.Store.GetOutboxAsync());
    }
}
