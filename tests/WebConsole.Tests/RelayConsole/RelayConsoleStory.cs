using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Tests.Support;
using Microsoft.Extensions.Logging;

namespace CrdtSync.WebConsole.Tests.RelayConsole;

/// <summary>
/// A real relay on 127.0.0.1 with its console enabled (free ports, SQLite in a temp folder, samples/incidents.json, a
/// known admin credential), and real replicas syncing with it over gRPC when a test says so (<c>SyncAllAsync</c>).
/// </summary>
public sealed class RelayConsoleStory : IAsyncDisposable
{
    public const string Credential = "csa_browser-test-credential";

    private readonly List<(ReplicaStore Replica, SyncClient Client)> _devices = [];

    private RelayConsoleStory(RelayHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    public RelayHost Host { get; }

    public string DataDirectory { get; }

    /// <summary>The console's page, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string ConsoleUrl => (Host.ConsoleAddress ?? throw new InvalidOperationException("The console is off.")).ToString();

    public static async Task<RelayConsoleStory> StartAsync()
    {
        var data = TempFolder.Create();
        var host = await RelayHost.StartAsync(new RelayOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data,
            ConfigurationJson = LoopbackRelay.SampleJson,
            AdminCredential = Credential,
            Console = true,
            ConsoleUrl = "http://127.0.0.1:0",
        }, builder => builder.Logging.ClearProviders());
        return new RelayConsoleStory(host, data);
    }

    /// <summary>A replica of a new device of <paramref name="user"/>, synced once (it has the configuration and what it may read).</summary>
    public async Task<(ReplicaStore Replica, SyncClient Client, DeviceCredential Credential)> DeviceAsync(string user, params string[] roles)
    {
        var credential = await Host.CreateDeviceAsync(user, roles);
        var replica = ReplicaStore.Open(new ReplicaOptions
        {
            DatabasePath = Path.Combine(DataDirectory, "replicas", user + "-" + credential.Replica + ".db"),
            ReplicaId = credential.Replica,
            Durability = CommitDurability.Normal,
        });
        var options = new SyncClientOptions { RelayAddress = Host.Address, Token = credential.Token, BackoffMin = TimeSpan.FromMilliseconds(50), BackoffMax = TimeSpan.FromMilliseconds(500) };
        options.Collections.Add("incidents");
        options.Collections.Add("tasks");
        var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(options));
        _devices.Add((replica, client));
        await client.SyncAllAsync();
        return (replica, client, credential);
    }

    public static Dictionary<string, Value> Title(string title) => new() { ["title"] = Value.String(title) };

    public async ValueTask DisposeAsync()
    {
        foreach (var (replica, client) in _devices)
        {
            await client.DisposeAsync();
            replica.Dispose();
        }

        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.Delete(DataDirectory);
    }
}
