using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.Extensions.Logging;

namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>A real relay (Kestrel on 127.0.0.1, SQLite in a temp folder, samples/incidents.json) that can be stopped and started again on the same port and data.</summary>
public sealed class StoryRelay : IAsyncDisposable
{
    private RelayHost? _host;
    private string _configurationJson;

    private StoryRelay(string configurationJson) => _configurationJson = configurationJson;

    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crdtsync-e2e", Guid.NewGuid().ToString("N"));

    public Uri Address { get; private set; } = null!;

    public RelayHost Host => _host ?? throw new InvalidOperationException("The relay is stopped.");

    public Admin.AdminClient Admin { get; private set; } = null!;

    public static async Task<StoryRelay> StartAsync(string? configurationJson = null)
    {
        var relay = new StoryRelay(configurationJson ?? SampleJson);
        await relay.StartOnAsync("http://127.0.0.1:0");
        return relay;
    }

    /// <summary>Stops serving; the data folder stays.</summary>
    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }

    /// <summary>Starts again on the same port and data folder, optionally with another configuration.</summary>
    public Task RestartAsync(string? configurationJson = null)
    {
        _configurationJson = configurationJson ?? _configurationJson;
        return StartOnAsync($"http://127.0.0.1:{Address.Port}");
    }

    public async Task<GetRecordResponse> GetRecordAsync(string collection, string id) =>
        await Admin.GetRecordAsync(new GetRecordRequest { Collection = collection, RecordId = id });

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task StartOnAsync(string urls)
    {
        _host = await RelayHost.StartAsync(new RelayOptions
        {
            Urls = urls,
            DataDirectory = DataDirectory,
            ConfigurationJson = _configurationJson,
            SubscriberRecheckInterval = TimeSpan.FromMilliseconds(500),
        }, builder => builder.Logging.ClearProviders());
        Address = _host.Address;
        Admin = new Admin.AdminClient(RelayChannels.ForAddress(Address, _host.AdminCredential));
    }
}
