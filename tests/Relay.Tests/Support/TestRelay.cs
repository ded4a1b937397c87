using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// A real relay on 127.0.0.1 (Kestrel, port 0) with a fake clock, over the store its subclass names:
/// <see cref="SqliteRelay"/> (a SQLite file in a temporary folder) or <see cref="PostgresRelay"/> (a fresh PostgreSQL
/// database, dropped afterwards). The integration tests are written once against this base and run on both.
/// </summary>
public abstract class TestRelay : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly Action<RelayOptions>? _tweak;
    private RelayHost? _host;

    protected TestRelay(RelayStoreKind store, Action<RelayOptions>? tweak)
    {
        Store = store;
        _tweak = tweak;
    }

    public RelayStoreKind Store { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crdtsync-relay-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The PostgreSQL database of this relay (null on SQLite).</summary>
    public string? PostgresConnectionString { get; private set; }

    public RelayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public Admin.AdminClient Admin { get; private set; } = null!;

    public static string SampleJson => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));

    /// <summary>The options a test relay starts with (loopback, port 0, the sample configuration, 1 s re-check).</summary>
    public static RelayOptions Options(string dataDirectory, RelayStoreKind store, string? postgres) => new()
    {
        Urls = "http://127.0.0.1:0",
        DataDirectory = dataDirectory,
        ConfigurationPath = Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"),
        SubscriberRecheckInterval = TimeSpan.FromSeconds(1),
        Store = store,
        PostgresConnectionString = postgres,
    };

    public async Task InitializeAsync()
    {
        if (Store == RelayStoreKind.Postgres)
        {
            PostgresConnectionString = await PostgresTestServer.CreateDatabaseAsync();
        }

        var options = Options(DataDirectory, Store, PostgresConnectionString);
        _tweak?.Invoke(options);
        _host = await RelayHost.StartAsync(options, builder =>
        {
            if (Environment.GetEnvironmentVariable("CRDTSYNC_TEST_LOG") is null)
            {
                builder.Logging.ClearProviders();
            }

            builder.Services.AddSingleton<TimeProvider>(Time);
            ConfigureServices(builder.Services);
        });
        Admin = new Admin.AdminClient(RelayChannels.ForAddress(Host.Address, Host.AdminCredential));
    }

    public async Task<TestDevice> DeviceAsync(string user, params string[] roles)
    {
        var credential = await Host.CreateDeviceAsync(user, roles);
        return new TestDevice(Host.Address, credential, Time);
    }

    public async Task<GetLogInfoResponse> LogInfoAsync() => await Admin.GetLogInfoAsync(new GetLogInfoRequest());

    /// <summary>Lets a subclass replace or configure the relay's services (e.g. the store's test hooks).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresConnectionString is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(PostgresConnectionString);
        }

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

/// <summary>A test relay on its embedded SQLite store.</summary>
public class SqliteRelay : TestRelay
{
    public SqliteRelay()
        : this(null)
    {
    }

    protected SqliteRelay(Action<RelayOptions>? tweak)
        : base(RelayStoreKind.Sqlite, tweak)
    {
    }
}

/// <summary>A test relay on a fresh PostgreSQL database of the test server.</summary>
public class PostgresRelay : TestRelay
{
    public PostgresRelay()
        : this(null)
    {
    }

    protected PostgresRelay(Action<RelayOptions>? tweak)
        : base(RelayStoreKind.Postgres, tweak)
    {
    }
}
