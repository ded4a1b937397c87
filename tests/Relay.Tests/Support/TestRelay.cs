using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>A real relay on 127.0.0.1 (Kestrel, port 0) over a SQLite file in a temporary folder, with a fake clock.</summary>
public class TestRelay : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly Action<RelayOptions>? _tweak;
    private RelayHost? _host;

    public TestRelay()
        : this(null)
    {
    }

    protected TestRelay(Action<RelayOptions>? tweak) => _tweak = tweak;

    public FakeTimeProvider Time { get; } = new(Start);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crdtsync-relay-tests", Guid.NewGuid().ToString("N"));

    public RelayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public Admin.AdminClient Admin { get; private set; } = null!;

    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));

    public static async Task<TestRelay> StartAsync(Action<RelayOptions>? tweak = null)
    {
        var relay = new TestRelay(tweak);
        await relay.InitializeAsync();
        return relay;
    }

    public async Task InitializeAsync()
    {
        var options = new RelayOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = DataDirectory,
            ConfigurationPath = Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"),
            SubscriberRecheckInterval = TimeSpan.FromSeconds(1),
        };
        _tweak?.Invoke(options);
        _host = await RelayHost.StartAsync(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(Time);
        });
        Admin = new Admin.AdminClient(RelayChannels.ForAddress(Host.Address, Host.AdminCredential));
    }

    public async Task<TestDevice> DeviceAsync(string user, params string[] roles)
    {
        var credential = await Host.CreateDeviceAsync(user, roles);
        return new TestDevice(Host.Address, credential, Time);
    }

    public async Task<GetLogInfoResponse> LogInfoAsync() => await Admin.GetLogInfoAsync(new GetLogInfoRequest());

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

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
}
