using CrdtSync.Crdt.Values;
using CrdtSync.EndToEnd.Tests.Support;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;

namespace CrdtSync.EndToEnd.Tests.Story;

/// <summary>Story lines 1-3: download, go offline, edit offline, meet again.</summary>
public sealed class OfflineEditTests
{
    [Fact]
    public async Task Alice_and_Bob_download_the_incidents_collection_then_go_offline()
    {
        await using var story = await Support.Story.StartAsync();

        foreach (var device in new[] { story.Alice, story.Bob })
        {
            Assert.Equal(CacheFreshness.Fresh, await device.Replica.GetFreshnessAsync("incidents"));
            Assert.Equal("Pump 3 leaks", await device.TextAsync("incidents", "inc-1", "title"));
            Assert.Equal("Gate 2 stuck", await device.TextAsync("incidents", "inc-2", "title"));
        }

        await story.BothOfflineAsync();

        Assert.True(story.Alice.Replica.IsOffline);
        await Eventually.TrueAsync(() => Task.FromResult(story.Alice.Client.Status.State == SyncState.Offline), "Alice's client goes quiet");
        Assert.Equal("Pump 3 leaks", await story.Alice.TextAsync("incidents", "inc-1", "title"));
    }

    [Fact]
    public async Task Offline_edits_of_different_fields_of_one_incident_both_survive_on_both_devices()
    {
        await using var story = await Support.Story.StartAsync();
        await story.BothOfflineAsync();

        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "valve replaced");
        await story.Bob.Replica.UpdateAsync("incidents", "inc-1", new Dictionary<string, Value> { ["priority"] = Value.Int64(1) });
        await story.BothSyncAsync();

        foreach (var device in new[] { story.Alice, story.Bob })
        {
            var incident = (await device.GetAsync("incidents", "inc-1"))!;
            Assert.Equal("valve replaced", incident["description"].AsString);
            Assert.Equal(1, incident["priority"].AsInt64);
            Assert.Equal(RecordStatus.Synced, incident.Status);
        }
    }

    [Fact]
    public async Task Offline_edits_of_the_same_lww_field_end_with_one_winner_everywhere_and_the_loser_in_the_journal()
    {
        await using var story = await Support.Story.StartAsync();
        await story.BothOfflineAsync();

        await story.Alice.UpdateAsync("incidents", "inc-1", "description", "alice says: seal");
        await story.Bob.UpdateAsync("incidents", "inc-1", "description", "bob says: pipe");
        await story.BothSyncAsync();

        var atAlice = await story.Alice.TextAsync("incidents", "inc-1", "description");
        var atBob = await story.Bob.TextAsync("incidents", "inc-1", "description");
        var relay = await story.Relay.GetRecordAsync("incidents", "inc-1");
        var atRelay = Crdt.Encoding.RecordStateCodec.Decode(relay.State.Memory)[new FieldName("description")].AsString;
        Assert.Equal(atRelay, atAlice);
        Assert.Equal(atRelay, atBob);
        Assert.Contains(atRelay, new[] { "alice says: seal", "bob says: pipe" });

        var loser = atRelay == "alice says: seal" ? "bob says: pipe" : "alice says: seal";
        Assert.Contains(relay.Journal, line => line.Field == "description" && line.Value.Contains(loser, StringComparison.Ordinal));
    }
}
