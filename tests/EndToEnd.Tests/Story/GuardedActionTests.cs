using CrdtSync.Crdt.Values;
using CrdtSync.EndToEnd.Tests.Support;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.EndToEnd.Tests.Story;

/// <summary>Story lines 4, 5 and 8: guarded actions decided by the relay; online-only actions.</summary>
public sealed class GuardedActionTests
{
    [Fact]
    public async Task Alice_closing_an_incident_Bob_already_closed_is_a_conflict_naming_bob_while_her_edit_is_accepted_and_discard_shows_the_relays_view()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Alice.Replica.EnterOfflineModeAsync();
        await story.Bob.Replica.PerformActionAsync("incidents", "inc-1", "close");
        await story.Bob.Client.SyncAllAsync();

        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "fixed the seal");
        await story.Alice.Replica.PerformActionAsync("incidents", "inc-1", "close");
        await story.Alice.Replica.LeaveOfflineModeAsync();
        await story.Alice.Client.SyncAllAsync();

        var entry = await story.Alice.SingleEntryAsync("incidents", "inc-1");
        Assert.Equal(EntryStatus.Conflict, entry.Status);
        Assert.Equal("guard_failed", entry.Reason);
        Assert.Contains("closed by bob at ", entry.Message, StringComparison.Ordinal);
        var locked = (await story.Alice.GetAsync("incidents", "inc-1"))!;
        Assert.True(locked.IsLocked);
        await Assert.ThrowsAsync<RecordLockedException>(() => story.Alice.UpdateAsync("incidents", "inc-1", "description", "again"));

        await story.Alice.Replica.DiscardAsync(entry.EntryId);
        await story.Bob.Client.SyncAllAsync();
        var alice = (await story.Alice.GetAsync("incidents", "inc-1"))!;
        var bob = (await story.Bob.GetAsync("incidents", "inc-1"))!;
        Assert.Equal(RecordStatus.Synced, alice.Status);
        Assert.Equal("fixed the seal", alice["description"].AsString);
        Assert.Equal("closed", alice["status"].AsString);
        Assert.Equal("bob", alice["closed_by"].AsString);
        Assert.Equal(bob.Fields, alice.Fields);
    }

    [Fact]
    public async Task An_offline_edit_of_an_incident_Bob_deleted_is_refused_as_deleted_and_can_only_be_discarded()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Alice.Replica.EnterOfflineModeAsync();
        await story.Bob.Replica.DeleteAsync("incidents", "inc-2");
        await story.Bob.Client.SyncAllAsync();

        await story.Alice.UpdateAsync("incidents", "inc-2", "description", "gate oiled");
        await story.Alice.Replica.LeaveOfflineModeAsync();
        await story.Alice.Client.SyncAllAsync();

        var entry = await story.Alice.SingleEntryAsync("incidents", "inc-2");
        Assert.Equal(EntryStatus.Deleted, entry.Status);
        Assert.False(entry.IsResolvable);
        Assert.Equal(RecordStatus.Error, await story.Alice.Replica.GetRecordStatusAsync("incidents", "inc-2"));
        await Assert.ThrowsAsync<EntryNotResolvableException>(() => story.Alice.Replica.RetryAsync(entry.EntryId));

        await story.Alice.Replica.DiscardAsync(entry.EntryId);
        Assert.Null(await story.Alice.GetAsync("incidents", "inc-2"));
        Assert.Empty(await story.Alice.Replica.GetOutboxAsync());
    }

    [Fact]
    public async Task Reopen_is_online_only_so_it_is_refused_and_hidden_while_offline_and_offered_again_online()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Bob.Replica.PerformActionAsync("incidents", "inc-1", "close");
        await story.Bob.Client.SyncAllAsync();

        await story.Bob.Replica.EnterOfflineModeAsync();
        Assert.DoesNotContain(new ActionName("reopen"), await story.Bob.Replica.GetAvailableActionsAsync("incidents", "inc-1"));
        var refused = await Assert.ThrowsAsync<ActionNotAvailableException>(() => story.Bob.Replica.PerformActionAsync("incidents", "inc-1", "reopen"));
        Assert.Contains("online", refused.Message, StringComparison.OrdinalIgnoreCase);

        await story.Bob.Replica.LeaveOfflineModeAsync();
        await story.Bob.LiveAsync();
        Assert.Contains(new ActionName("reopen"), await story.Bob.Replica.GetAvailableActionsAsync("incidents", "inc-1"));
        await story.Bob.Replica.PerformActionAsync("incidents", "inc-1", "reopen");
        await story.Bob.FullySyncedAsync();
        Assert.Equal("open", await story.Bob.TextAsync("incidents", "inc-1", "status"));
    }
}
