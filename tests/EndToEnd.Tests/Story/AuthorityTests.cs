using CrdtSync.Crdt.Values;
using CrdtSync.EndToEnd.Tests.Support;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.EndToEnd.Tests.Story;

/// <summary>Story lines 6 and 7: rights withdrawn while offline; a validation rule the relay enforces.</summary>
public sealed class AuthorityTests
{
    [Fact]
    public async Task Task_edits_made_offline_after_the_write_right_was_withdrawn_are_forbidden_but_stay_readable_while_incidents_keep_syncing()
    {
        await using var story = await Support.Story.StartAsync(configurationJson: Support.Story.ConfigurationWithIncidentsOnlyRole);
        await story.Alice.Replica.EnterOfflineModeAsync();
        await story.Alice.UpdateAsync("tasks", "task-1", "title", "Order two seals");
        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "seal ordered");

        await story.Relay.Admin.RevokeRoleAsync(new RoleRequest { User = "alice", Role = "agent" });
        await story.Relay.Admin.GrantRoleAsync(new RoleRequest { User = "alice", Role = "viewer" });
        await story.Relay.Admin.GrantRoleAsync(new RoleRequest { User = "alice", Role = "incident_agent" });
        await story.Alice.Replica.LeaveOfflineModeAsync();
        await story.Alice.Client.SyncAllAsync();

        var entry = await story.Alice.SingleEntryAsync("tasks", "task-1");
        Assert.Equal(EntryStatus.Forbidden, entry.Status);
        Assert.Equal("Order two seals", entry.Change.Fields.Single(f => f.Name == new FieldName("title")).Value.AsString);
        Assert.Equal("Order a seal", await story.Alice.TextAsync("tasks", "task-1", "title"));
        Assert.Equal(RecordStatus.Error, await story.Alice.Replica.GetRecordStatusAsync("tasks", "task-1"));

        await story.Bob.Replica.UpdateAsync("incidents", "inc-2", new Dictionary<string, Value> { ["priority"] = Value.Int64(5) });
        await story.Bob.Client.SyncAllAsync();
        await story.Alice.Client.SyncAllAsync();
        Assert.Equal(5, (await story.Alice.GetAsync("incidents", "inc-2"))!["priority"].AsInt64);
        Assert.Equal("seal ordered", await story.Bob.TextAsync("incidents", "inc-1", "description"));

        await story.Alice.Replica.DiscardAsync(entry.EntryId);
        Assert.Empty(await story.Alice.Replica.GetOutboxAsync());
    }

    [Fact]
    public async Task A_change_that_breaks_a_validation_rule_at_the_relay_is_invalid_and_accepted_once_Alice_edits_it()
    {
        await using var story = await Support.Story.StartAsync();
        await story.Alice.Replica.EnterOfflineModeAsync();
        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "The pump's seal is worn through; ordered a new one from the supplier.");

        // The operator tightens the rule while Alice is away: descriptions are at most 40 characters now.
        await story.Relay.StopAsync();
        await story.Relay.RestartAsync(StoryRelay.SampleJson.Replace("\"maxLength\": 10000", "\"maxLength\": 40", StringComparison.Ordinal));
        await story.Alice.Replica.LeaveOfflineModeAsync();
        await story.Alice.Client.SyncAllAsync();

        var entry = await story.Alice.SingleEntryAsync("incidents", "inc-1");
        Assert.Equal(EntryStatus.Invalid, entry.Status);
        Assert.True(entry.IsResolvable);

        await story.Alice.Replica.ResolveAsync(entry.EntryId, new Dictionary<string, Value> { ["description"] = Value.String("Seal worn; new one ordered.") });
        await story.Alice.Client.SyncAllAsync();

        Assert.Empty(await story.Alice.Replica.GetOutboxAsync());
        var relay = Crdt.Encoding.RecordStateCodec.Decode((await story.Relay.GetRecordAsync("incidents", "inc-1")).State.Memory);
        Assert.Equal("Seal worn; new one ordered.", relay[new FieldName("description")].AsString);
    }
}
