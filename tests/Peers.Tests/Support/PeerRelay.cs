using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica.Peers;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Peers.Tests.Support;

/// <summary>A real relay on 127.0.0.1 with its data in a temp folder, and one-round syncs of peer nodes with it.</summary>
public sealed class PeerRelay : IAsyncDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "crdtsync-peers-relay", Guid.NewGuid().ToString("N"));
    private readonly TimeProvider? _time;

    private PeerRelay(TimeProvider? time) => _time = time;

    public RelayHost Host { get; private set; } = null!;

    /// <summary>Starts a relay with <paramref name="configuration"/> (the sample app when null) and, when given, <paramref name="time"/> as its clock.</summary>
    public static async Task<PeerRelay> StartAsync(string? configuration = null, TimeProvider? time = null)
    {
        var relay = new PeerRelay(time);
        await relay.RestartAsync(configuration ?? PeerNode.SampleJson);
        return relay;
    }

    /// <summary>Stops the relay if it runs and starts it again on the same data with <paramref name="configuration"/>.</summary>
    public async Task RestartAsync(string configuration)
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Host = await RelayHost.StartAsync(
            new RelayOptions { Urls = "http://127.0.0.1:0", DataDirectory = _data, ConfigurationJson = configuration },
            builder =>
            {
                builder.Logging.ClearProviders();
                if (_time is not null)
                {
                    builder.Services.AddSingleton(_time);
                }
            });
    }

    /// <summary>
    /// One sync round of <paramref name="node"/> with the relay (incidents and tasks), by default recording what the relay
    /// committed into the replica's peer change store (<see cref="PeerRecordingRelayTransport"/>).
    /// </summary>
    public async Task SyncAsync(PeerNode node, string token, bool record = true)
    {
        var options = new SyncClientOptions { RelayAddress = Host.Address, Token = token, CallTimeout = TimeSpan.FromSeconds(20) };
        options.Collections.Add("incidents");
        options.Collections.Add("tasks");
        IRelayTransport transport = record ? new PeerRecordingRelayTransport(GrpcRelayTransport.Create(options), node.Replica) : GrpcRelayTransport.Create(options);
        using var owned = (IDisposable)transport;
        await using var client = new SyncClient(node.Replica, transport, options);
        await client.SyncAllAsync();
    }

    /// <summary>The relay's state of <paramref name="collection"/>/<paramref name="id"/>, read through the admin API.</summary>
    public async Task<RecordState> GetRecordAsync(string collection, string id)
    {
        using var channel = RelayChannels.ForAddress(Host.Address, Host.AdminCredential);
        var atRelay = await new Admin.AdminClient(channel).GetRecordAsync(new GetRecordRequest { Collection = collection, RecordId = id });
        Assert.True(atRelay.Found, $"The relay has no {collection}/{id}.");
        return RecordStateCodec.Decode(atRelay.State.Memory);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
