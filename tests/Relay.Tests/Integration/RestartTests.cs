using CrdtSync.Crdt.Clocks;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Tests.Support;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class RestartTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "crdtsync-relay-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The extra command-line arguments choosing the store.</summary>
    protected abstract Task<string[]> StoreArgumentsAsync();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_relay_killed_with_sigkill_and_restarted_keeps_its_log_its_identity_and_its_outcomes()
    {
        const string admin = "restart-admin-credential";
        IReadOnlyList<ChangeOutcome> before;
        GetLogInfoResponse infoBefore;
        PullResponse pulledBefore;
        TestDevice device;
        var changes = new List<Crdt.Changes.Change>();
        var store = await StoreArgumentsAsync();
        using (var relay = await RelayProcess.StartAsync(_data, admin, store))
        {
            var adminClient = new Admin.AdminClient(RelayChannels.ForAddress(relay.Address, admin));
            await adminClient.GrantRoleAsync(new RoleRequest { User = "kim", Role = "lead" });
            var created = await adminClient.CreateDeviceAsync(new CreateDeviceRequest { User = "kim" });
            device = new TestDevice(relay.Address, new DeviceCredential(ReplicaId.FromBytes(created.ReplicaId.Span), "kim", created.Token), TimeProvider.System);
            var create = device.Create("incidents", "k-1", F("title", "Survives"), F("status", "open"));
            changes.AddRange([create, device.Action("incidents", "k-1", Seen(create), "close"), device.Create("incidents", "k-2", F("priority", 9))]);
            before = await device.PushAsync(changes);
            infoBefore = await adminClient.GetLogInfoAsync(new GetLogInfoRequest());
            pulledBefore = await device.Client.PullAsync(new PullRequest { Subscriptions = { new Subscription { Collection = "incidents" } } });
            relay.KillHard();
        }

        using var restarted = await RelayProcess.StartAsync(_data, admin, store);
        var again = new TestDevice(restarted.Address, device.Credential, TimeProvider.System);
        var after = await again.PushAsync(changes);
        var infoAfter = await new Admin.AdminClient(RelayChannels.ForAddress(restarted.Address, admin)).GetLogInfoAsync(new GetLogInfoRequest());
        var pulledAfter = await again.Client.PullAsync(new PullRequest { Subscriptions = { new Subscription { Collection = "incidents" } } });

        Assert.Equal([OutcomeKind.Accepted, OutcomeKind.Accepted, OutcomeKind.Invalid], before.Select(o => o.Kind));
        Assert.Equal(before.Select(o => (o.Kind, o.Reason, o.LogSequence)), after.Select(o => (o.Kind, o.Reason, o.LogSequence)));
        Assert.Equal(before.Select(o => o.Committed.Count), after.Select(o => o.Committed.Count));
        Assert.All(after, o => Assert.True(o.RepeatedPush));
        Assert.Equal(infoBefore, infoAfter);
        Assert.Equal(pulledBefore, pulledAfter);
    }

    public virtual Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }
}

public sealed class RestartTestsOnSqlite : RestartTests
{
    protected override Task<string[]> StoreArgumentsAsync() => Task.FromResult<string[]>([]);
}

public sealed class RestartTestsOnPostgres : RestartTests
{
    private string? _database;

    protected override async Task<string[]> StoreArgumentsAsync()
    {
        _database = await PostgresTestServer.CreateDatabaseAsync();
        return ["--store", "postgres", "--postgres", _database];
    }

    public override async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }

        await base.DisposeAsync();
    }
}
