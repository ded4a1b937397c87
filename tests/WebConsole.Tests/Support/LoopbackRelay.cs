using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.Extensions.Logging;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>A real relay for browser tests: Kestrel on 127.0.0.1 with a free port, SQLite in a temp folder, samples/incidents.json, its admin client.</summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private LoopbackRelay(RelayHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
        Admin = new Admin.AdminClient(RelayChannels.ForAddress(host.Address, host.AdminCredential));
    }

    /// <summary>The example configuration (incidents and tasks).</summary>
    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));

    public RelayHost Host { get; }

    public Uri Address => Host.Address;

    public string DataDirectory { get; }

    /// <summary>The admin API (devices, roles, records), authenticated with the relay's admin credential.</summary>
    public Admin.AdminClient Admin { get; }

    public static async Task<LoopbackRelay> StartAsync(string? configurationJson = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "crdtsync-webconsole", Guid.NewGuid().ToString("N"));
        var host = await RelayHost.StartAsync(new RelayOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = data,
            ConfigurationJson = configurationJson ?? SampleJson,
            SubscriberRecheckInterval = TimeSpan.FromMilliseconds(300),
        }, builder => builder.Logging.ClearProviders());
        return new LoopbackRelay(host, data);
    }

    public Task<DeviceCredential> CreateDeviceAsync(string user, params string[] roles) => Host.CreateDeviceAsync(user, roles);

    public async Task ChangeRoleAsync(string user, string revoke, string grant)
    {
        await Admin.RevokeRoleAsync(new RoleRequest { User = user, Role = revoke });
        await Admin.GrantRoleAsync(new RoleRequest { User = user, Role = grant });
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.Delete(DataDirectory);
    }
}
