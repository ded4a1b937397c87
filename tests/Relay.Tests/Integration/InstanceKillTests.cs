using CrdtSync.Crdt.Clocks;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Tests.Support;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>Two relay processes on one PostgreSQL database; one is killed with SIGKILL while pushes are in flight.</summary>
public sealed class InstanceKillTests : IAsyncLifetime
{
    private const string Admin = "kill-admin-credential";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "crdtsync-relay-tests", Guid.NewGuid().ToString("N"));
    private string _database = string.Empty;

    public async Task InitializeAsync() => _database = await PostgresTestServer.CreateDatabaseAsync();

    [Fact]
    public async Task An_instance_killed_mid_push_loses_nothing_it_acknowledged_and_a_re_push_on_the_other_instance_is_idempotent()
    {
        string[] store = ["--store", "postgres", "--postgres", _database];
        using var doomed = await RelayProcess.StartAsync(_data + "-a", Admin, store);
        using var survivor = await RelayProcess.StartAsync(_data + "-b", Admin, store);
        var admin = new Admin.AdminClient(RelayChannels.ForAddress(doomed.Address, Admin));
        await admin.GrantRoleAsync(new RoleRequest { User = "kai", Role = "lead" });
        var created = await admin.CreateDeviceAsync(new CreateDeviceRequest { User = "kai" });
        var credential = new DeviceCredential(ReplicaId.FromBytes(created.ReplicaId.Span), "kai", created.Token);
        var device = new TestDevice(doomed.Address, credential, TimeProvider.System);
        var batches = Enumerable.Range(0, 24)
            .Select(b => Enumerable.Range(0, 100).Select(i => device.Create("incidents", $"kill-{b}-{i}", F("title", $"{b}/{i}"))).ToList())
            .ToList();

        // Four pushers in parallel; the instance dies once the first batch is acknowledged, with others in flight.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<int, IReadOnlyList<ChangeOutcome>>();
        var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = -1;
        var pushers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var b = Interlocked.Increment(ref next); b < batches.Count; b = Interlocked.Increment(ref next))
            {
                try
                {
                    acknowledged[b] = await device.PushAsync(batches[b]);
                    firstAcknowledged.TrySetResult();
                }
                catch (RpcException)
                {
                    return;
                }
            }
        })).ToList();
        await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(60));
        doomed.KillHard();
        await Task.WhenAll(pushers);

        var again = new TestDevice(survivor.Address, credential, TimeProvider.System);
        var repushed = new List<IReadOnlyList<ChangeOutcome>>();
        foreach (var batch in batches)
        {
            repushed.Add(await again.PushAsync(batch));
        }

        var info = await new Admin.AdminClient(RelayChannels.ForAddress(survivor.Address, Admin)).GetLogInfoAsync(new GetLogInfoRequest());
        var pulled = await again.PullAllAsync(0, "incidents");

        Assert.NotEmpty(acknowledged);
        Assert.True(acknowledged.Count < batches.Count, "the instance was killed before every batch was acknowledged");
        foreach (var (b, outcomes) in acknowledged)
        {
            // Everything acknowledged by the dead instance is known to the survivor, with the same log sequence.
            Assert.All(outcomes.Zip(repushed[b]), pair =>
            {
                Assert.True(pair.Second.RepeatedPush);
                Assert.Equal((pair.First.Kind, pair.First.LogSequence), (pair.Second.Kind, pair.Second.LogSequence));
            });
        }

        var all = repushed.SelectMany(o => o).ToList();
        Assert.All(all, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Equal(all.Count, all.Select(o => o.LogSequence).Distinct().Count());
        Assert.Equal(batches.Sum(b => b.Count), info.LogLength);
        Assert.Equal(batches.Sum(b => b.Count), info.OutcomeCount);
        Assert.Equal(all.Select(o => o.LogSequence).Order(), pulled.SelectMany(p => p.Entries).Select(e => e.Sequence));
    }

    public async Task DisposeAsync()
    {
        await PostgresTestServer.DropDatabaseAsync(_database);
        foreach (var folder in new[] { _data + "-a", _data + "-b" })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
