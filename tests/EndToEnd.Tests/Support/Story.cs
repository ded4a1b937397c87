using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Sync;

namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>
/// The product story's cast: a relay with the sample incidents app, Alice and Bob on their devices, and two incidents
/// Bob made (<c>inc-1</c>, <c>inc-2</c>) and one task (<c>task-1</c>) that both have downloaded.
/// </summary>
public sealed class Story : IAsyncDisposable
{
    private Story(StoryRelay relay, StoryDevice alice, StoryDevice bob)
    {
        Relay = relay;
        Alice = alice;
        Bob = bob;
    }

    public StoryRelay Relay { get; }

    public StoryDevice Alice { get; }

    public StoryDevice Bob { get; }

    /// <summary>The sample configuration plus a role that may read and edit incidents only (to withdraw task rights while keeping incidents).</summary>
    public static string ConfigurationWithIncidentsOnlyRole => StoryRelay.SampleJson.Replace(
        "\"viewer\": {",
        "\"incident_agent\": { \"incidents\": { \"read\": true, \"write\": true, \"actions\": [\"close\"] } },\n    \"viewer\": {",
        StringComparison.Ordinal);

    public static SyncClientOptions ClientOptions(Uri address, string token)
    {
        var options = new SyncClientOptions
        {
            RelayAddress = address,
            Token = token,
            BackoffMin = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromMilliseconds(400),
            CallTimeout = TimeSpan.FromSeconds(20),
            KeepAliveInterval = TimeSpan.FromSeconds(5),
        };
        options.Collections.Add("incidents");
        options.Collections.Add("tasks");
        return options;
    }

    public static async Task<Story> StartAsync(string aliceRole = "agent", string? configurationJson = null)
    {
        var relay = await StoryRelay.StartAsync(configurationJson);
        var bob = await StoryDevice.CreateAsync(relay, "bob", ["lead"]);
        var alice = await StoryDevice.CreateAsync(relay, "alice", [aliceRole]);
        var story = new Story(relay, alice, bob);
        await bob.LiveAsync();
        await bob.Replica.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.String("Pump 3 leaks"), ["description"] = Value.String("water on the floor"), ["priority"] = Value.Int64(2) }, "inc-1");
        await bob.Replica.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.String("Gate 2 stuck") }, "inc-2");
        await bob.Replica.CreateAsync("tasks", new Dictionary<string, Value> { ["title"] = Value.String("Order a seal"), ["incident"] = Value.String("inc-1") }, "task-1");
        await bob.Client.SyncAllAsync();
        await alice.LiveAsync();
        await alice.Client.SyncAllAsync();
        return story;
    }

    /// <summary>Both go offline (explicit offline mode: no network at all).</summary>
    public async Task BothOfflineAsync()
    {
        await Alice.Replica.EnterOfflineModeAsync();
        await Bob.Replica.EnterOfflineModeAsync();
    }

    /// <summary>Both come back and sync: Alice, Bob, then Alice again so each has the other's result.</summary>
    public async Task BothSyncAsync()
    {
        await Alice.Replica.LeaveOfflineModeAsync();
        await Bob.Replica.LeaveOfflineModeAsync();
        await Alice.Client.SyncAllAsync();
        await Bob.Client.SyncAllAsync();
        await Alice.Client.SyncAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Alice.DisposeAsync();
        await Bob.DisposeAsync();
        await Relay.DisposeAsync();
    }
}
