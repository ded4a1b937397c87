using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;
using Microsoft.Extensions.Options;

namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>
/// A person's device: a real replica on a SQLite file in a temp folder, created with the device id the relay's admin made
/// (the documented identity flow), and a real <see cref="SyncClient"/> over gRPC with short backoff bounds.
/// </summary>
public sealed class StoryDevice : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crdtsync-e2e-replica", Guid.NewGuid().ToString("N"));

    private StoryDevice(DeviceCredential credential, ReplicaStore replica, SyncClient client, SyncClientOptions options)
    {
        Credential = credential;
        Replica = replica;
        Client = client;
        Options = options;
    }

    public DeviceCredential Credential { get; }

    public ReplicaStore Replica { get; }

    public SyncClient Client { get; }

    public SyncClientOptions Options { get; }

    public static async Task<StoryDevice> CreateAsync(StoryRelay relay, string user, string[] roles, TimeProvider? replicaTime = null, Func<IRelayTransport, IRelayTransport>? wrap = null, bool start = true)
    {
        var credential = await relay.Host.CreateDeviceAsync(user, roles);
        var folder = Path.Combine(Path.GetTempPath(), "crdtsync-e2e-replica", Guid.NewGuid().ToString("N"));
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, "replica.db"), ReplicaId = credential.Replica }, replicaTime);
        var options = Story.ClientOptions(relay.Address, credential.Token);
        SyncClient client;
        if (wrap is null)
        {
            client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(options), random: new Random(7));
        }
        else
        {
            client = new SyncClient(replica, wrap(GrpcRelayTransport.Create(options)), options, random: new Random(7));
        }

        var device = new StoryDevice(credential, replica, client, options);
        if (start)
        {
            await client.StartAsync();
        }

        return device;
    }

    public Task<RecordSnapshot?> GetAsync(string collection, string id) => Replica.GetAsync(collection, id);

    public async Task<string?> TextAsync(string collection, string id, string field)
    {
        var record = await Replica.GetAsync(collection, id);
        return record is null || record[field].Kind != ValueKind.String ? null : record[field].AsString;
    }

    public Task UpdateAsync(string collection, string id, string field, string value) =>
        Replica.UpdateAsync(collection, id, new Dictionary<string, Value> { [field] = Value.String(value) });

    public async Task<OutboxEntry> SingleEntryAsync(string collection, string id) => Assert.Single(await Replica.GetOutboxAsync(collection, id));

    /// <summary>Waits (bounded, not timed) until the client is live.</summary>
    public Task LiveAsync() => Eventually.TrueAsync(() => Task.FromResult(Client.Status.State == SyncState.Live), "the sync client is live");

    /// <summary>Waits until the outbox is empty of pending entries and the replica is caught up.</summary>
    public Task FullySyncedAsync() => Eventually.TrueAsync(async () => (await Client.GetStatusAsync()).IsFullySynced, "the replica is fully synced");

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Replica.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
