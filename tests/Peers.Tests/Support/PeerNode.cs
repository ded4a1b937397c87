using CrdtSync.Crdt.Encoding;
using CrdtSync.Replica.Peers;

namespace CrdtSync.Peers.Tests.Support;

/// <summary>A replica on a temp SQLite file, configured with the sample incidents app, optionally serving peers on an address.</summary>
public sealed class PeerNode : IAsyncDisposable
{
    public const string TeamSecret = "correct-horse-battery-staple";

    private readonly string _folder;

    private PeerNode(string folder, ReplicaStore replica, string name)
    {
        _folder = folder;
        Replica = replica;
        Name = name;
        Client = new PeerClient(replica, new PeerClientOptions { TeamSecret = TeamSecret, PageCountMax = 50 });
    }

    public string Name { get; }

    public ReplicaStore Replica { get; }

    public PeerClient Client { get; }

    public PeerServer? Server { get; private set; }

    public Uri Address => Server?.Address ?? throw new InvalidOperationException($"{Name} does not serve peers.");

    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "incidents.json"));

    public static async Task<PeerNode> CreateAsync(string name, string? listenAddress = null, Crdt.Clocks.ReplicaId? id = null, TimeProvider? time = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "crdtsync-peers", Guid.NewGuid().ToString("N"));
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, "replica.db"), ReplicaId = id, Durability = CommitDurability.Normal }, time);
        await replica.ConfigureAsync(SampleJson, name, ["agent"]);
        var node = new PeerNode(folder, replica, name);
        if (listenAddress is not null)
        {
            await node.ServeAsync(listenAddress);
        }

        return node;
    }

    public async Task ServeAsync(string listenAddress) =>
        Server = await PeerServer.StartAsync(Replica, new PeerServerOptions { ListenAddress = listenAddress, TeamSecret = TeamSecret, PageCountMax = 50 });

    public async Task StopServingAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.DisposeAsync();
        }
    }

    public Task<PeerSyncReport> SyncWithAsync(PeerNode other) => Client.SyncWithAsync(other.Address);

    /// <summary>Every record's visible state as canonical bytes, by key: two nodes converged when these are equal.</summary>
    public SortedDictionary<string, string> VisibleStates()
    {
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var reader = Replica.Database.Command("SELECT collection, record_id, coalesce(visible, confirmed) FROM records").ExecuteReader();
        while (reader.Read())
        {
            var state = RecordStateCodec.Decode((byte[])reader[2]);
            states[reader.GetString(0) + "/" + reader.GetString(1)] = Convert.ToHexString(RecordStateCodec.Encode(state));
        }

        return states;
    }

    public async ValueTask DisposeAsync()
    {
        await StopServingAsync();
        Client.Dispose();
        Replica.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
