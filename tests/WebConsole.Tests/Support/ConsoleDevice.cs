using CrdtSync.Relay.Hosting;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.Logging;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>
/// A person's device with its console: a replica file in a temp folder (made for a relay device, or standalone with the
/// example configuration), its sync client running in the background when there is a relay, and the console on 127.0.0.1.
/// </summary>
public sealed class ConsoleDevice : IAsyncDisposable
{
    private readonly string _folder;

    private ConsoleDevice(string folder, ReplicaStore replica, SyncClient? client, ReplicaConsoleHost console)
    {
        _folder = folder;
        Replica = replica;
        Client = client;
        Console = console;
    }

    public ReplicaStore Replica { get; }

    public SyncClient? Client { get; }

    public ReplicaConsoleHost Console { get; }

    public Uri Address => Console.Address;

    /// <summary>Subscribes to every collection the user may read and syncs: the offline cache is fresh afterwards.</summary>
    public async Task DownloadAsync()
    {
        if (Replica.Configuration is null)
        {
            // The handshake brings the configuration, which names the collections.
            await Client!.SyncAllAsync();
        }

        foreach (var collection in Replica.Configuration!.Collections.Keys)
        {
            // Through the client, so a running one downloads it and follows it live.
            await Client!.SubscribeAsync(collection.Text);
        }

        await Client!.SyncAllAsync();
    }

    /// <summary>
    /// A device of <paramref name="credential"/> syncing with <paramref name="relay"/>; nothing is downloaded yet. With
    /// <paramref name="syncInBackground"/> false the client only syncs when asked ("Sync all", download).
    /// </summary>
    public static async Task<ConsoleDevice> ForRelayAsync(LoopbackRelay relay, DeviceCredential credential, bool syncInBackground = true)
    {
        var folder = TempFolder.Create();
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, credential.User + ".db"), ReplicaId = credential.Replica, Durability = CommitDurability.Normal });
        var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(new SyncClientOptions
        {
            RelayAddress = relay.Address,
            Token = credential.Token,
            BackoffMin = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromMilliseconds(500),
        }));
        var console = await StartConsoleAsync(replica, client);
        if (syncInBackground)
        {
            await client.StartAsync();
        }

        return new ConsoleDevice(folder, replica, client, console);
    }

    /// <summary>A standalone device (no relay) configured with the example configuration for <paramref name="user"/>.</summary>
    public static async Task<ConsoleDevice> StandaloneAsync(string user = "ana", params string[] roles)
    {
        var folder = TempFolder.Create();
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, user + ".db"), Durability = CommitDurability.Normal });
        await replica.ConfigureAsync(LoopbackRelay.SampleJson, user, roles.Length == 0 ? ["lead"] : roles);
        return new ConsoleDevice(folder, replica, null, await StartConsoleAsync(replica, null));
    }

    private static Task<ReplicaConsoleHost> StartConsoleAsync(ReplicaStore replica, SyncClient? client) =>
        ReplicaConsoleHost.StartAsync(replica, client, new ReplicaConsoleOptions { Urls = "http://127.0.0.1:0", EventStreamKeepAlive = TimeSpan.FromSeconds(2) },
            builder => builder.Logging.ClearProviders());

    public async ValueTask DisposeAsync()
    {
        await Console.DisposeAsync();
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        Replica.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.Delete(_folder);
    }
}
