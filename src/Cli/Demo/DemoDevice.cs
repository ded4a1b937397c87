using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;

namespace CrdtSync.Cli.Demo;

/// <summary>A person's device in the demo: a replica file created with the device id the relay's admin made, and its sync client.</summary>
internal sealed class DemoDevice : IAsyncDisposable
{
    private DemoDevice(string name, ReplicaStore replica, SyncClient client)
    {
        Name = name;
        Replica = replica;
        Client = client;
    }

    public string Name { get; }

    public ReplicaStore Replica { get; }

    public SyncClient Client { get; }

    public static async Task<DemoDevice> CreateAsync(string name, DeviceCredential credential, Uri relay, string folder, TimeProvider clock, CancellationToken cancellationToken)
    {
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, name + ".db"), ReplicaId = credential.Replica }, clock);
        var options = new SyncClientOptions
        {
            RelayAddress = relay,
            Token = credential.Token,
            BackoffMin = TimeSpan.FromMilliseconds(100),
            BackoffMax = TimeSpan.FromSeconds(1),
            // The demo restarts its relay twice: "sync all" waits for it to come back rather than failing.
            SyncAllRetryCount = 20,
            CallTimeout = TimeSpan.FromSeconds(20),
        };
        options.Collections.Add("incidents");
        options.Collections.Add("tasks");
        var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(options), clock);
        await client.StartAsync(cancellationToken);
        await client.SyncAllAsync(cancellationToken);
        return new DemoDevice(name, replica, client);
    }

    public Task EditAsync(string collection, string id, string field, Value value) =>
        Replica.UpdateAsync(collection, id, new Dictionary<string, Value> { [field] = value });

    public async Task<Value> ReadAsync(string collection, string id, string field) =>
        (await Replica.GetAsync(collection, id)) is { } record ? record.State[new FieldName(field)] : Value.Null;

    public async Task<RecordSnapshot> GetAsync(string collection, string id) =>
        await Replica.GetAsync(collection, id) ?? throw new DemoException($"{Name} has no {collection}/{id}.");

    public async Task<OutboxEntry> EntryAsync(string collection, string id) =>
        (await Replica.GetOutboxAsync(collection, id)).SingleOrDefault() ?? throw new DemoException($"{Name} has no outbox entry for {collection}/{id}.");

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Replica.Dispose();
    }
}
