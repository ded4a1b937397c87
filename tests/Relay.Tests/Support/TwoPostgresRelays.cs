using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// Two relay instances in this process, on separate loopback ports, sharing one fresh PostgreSQL database, on the
/// system clock. Their subscribers re-check only every 10 minutes, so a subscriber woken within a test was woken by
/// LISTEN/NOTIFY. Commits can be delayed at random (<see cref="CommitDelayMax"/>) through the store's test hook.
/// </summary>
public sealed class TwoPostgresRelays : IAsyncLifetime
{
    private const string AdminCredential = "two-relays-admin-credential";

    private int _commitDelayMaxMilliseconds;

    public RelayHost First { get; private set; } = null!;

    public RelayHost Second { get; private set; } = null!;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The longest random delay a write transaction sleeps before its commit (zero: none).</summary>
    public TimeSpan CommitDelayMax
    {
        get => TimeSpan.FromMilliseconds(Volatile.Read(ref _commitDelayMaxMilliseconds));
        set => Volatile.Write(ref _commitDelayMaxMilliseconds, (int)value.TotalMilliseconds);
    }

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresTestServer.CreateDatabaseAsync();
        First = await StartInstanceAsync();
        Second = await StartInstanceAsync();
    }

    /// <summary>A device registered (through the first instance) for <paramref name="user"/>, connected to <paramref name="host"/>.</summary>
    public async Task<TestDevice> DeviceAsync(RelayHost host, string user, params string[] roles)
    {
        var credential = await First.CreateDeviceAsync(user, roles);
        return new TestDevice(host.Address, credential, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { First, Second })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        await PostgresTestServer.DropDatabaseAsync(ConnectionString);
    }

    private Task<RelayHost> StartInstanceAsync()
    {
        var options = TestRelay.Options(Path.Combine(Path.GetTempPath(), "crdtsync-relay-tests", "unused"), RelayStoreKind.Postgres, ConnectionString);
        options.AdminCredential = AdminCredential;
        options.SubscriberRecheckInterval = TimeSpan.FromMinutes(10);
        options.ConfigurationJson = TestRelay.SampleJson.Replace("\"pushesPerSecondMax\": 200", "\"pushesPerSecondMax\": 100000", StringComparison.Ordinal);
        return RelayHost.StartAsync(options, builder =>
        {
            if (Environment.GetEnvironmentVariable("CRDTSYNC_TEST_LOG") is null)
            {
                builder.Logging.ClearProviders();
            }

            builder.Services.Configure<PostgresRelayStoreOptions>(o => o.BeforeCommitAsync = DelayCommitAsync);
        });
    }

    private async ValueTask DelayCommitAsync(CancellationToken cancellationToken)
    {
        var max = Volatile.Read(ref _commitDelayMaxMilliseconds);
        if (max > 0)
        {
            await Task.Delay(Random.Shared.Next(0, max + 1), cancellationToken);
        }
    }
}
