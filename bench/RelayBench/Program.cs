using System.Security.Cryptography;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.RelayBench;

// dotnet run -c Release --project bench/RelayBench -- [--quick] [--push-only]
// Prints one JSON object per line; every figure sits next to its baseline measured in this run (docs/relay.md).
var quick = args.Contains("--quick");
var pushOnly = args.Contains("--push-only");
var pushChanges = quick ? 20_000 : 100_000;
const int batchSize = 1_000;
const int subscribers = 100;
var fanWarmup = quick ? 50 : 200;
var fanRounds = quick ? 100 : 500;
var work = Path.Combine(Path.GetTempPath(), "crdtsync-relay-bench", Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
Figures.Print(new { Bench = "settings", Quick = quick, Changes = pushChanges, Batch = batchSize, Subscribers = subscribers, FanRounds = fanRounds, Processors = Environment.ProcessorCount });

static DeviceCredential AnyCredential() => new(ReplicaId.FromBytes(RandomNumberGenerator.GetBytes(16)), "bench", "unused");

async Task<double> PushWithWarmupAsync(IReadOnlyList<BenchDevice> devices, int changes)
{
    await PushBench.RunAsync([.. devices.Select(d => (d.Client, PushBench.Batches(d, "warm", 3 * batchSize, batchSize)))]);
    return await PushBench.RunAsync([.. devices.Select(d => (d.Client, PushBench.Batches(d, "push", changes / devices.Count, batchSize)))]);
}

try
{
    // Baselines with no store: the same push requests through the same gRPC stack to an echo service.
    var (echo, echoAddress) = await BenchHosts.StartEchoAsync();
    double echoPush;
    (double P50Ms, double P99Ms) echoLatency;
    using (var echoDevice = new BenchDevice(echoAddress, AnyCredential()))
    {
        echoPush = await PushWithWarmupAsync([echoDevice], pushChanges);
        echoLatency = await FanOutBench.EchoLatencyAsync(echoDevice.Channel, echoDevice, quick ? 2_000 : 20_000, quick ? 2_000 : 10_000);
    }

    await echo.DisposeAsync();
    Figures.Print(new { Bench = "echo", PushChangesPerS = Figures.Round(echoPush), UnaryP50Ms = echoLatency.P50Ms, UnaryP99Ms = echoLatency.P99Ms });

    // The same change bytes straight into SQLite with the relay's durability.
    using var bytesDevice = new BenchDevice(echoAddress, AnyCredential());
    var changeBytes = PushBench.Batches(bytesDevice, "raw", pushChanges, batchSize).SelectMany(b => b.Changes.Select(c => c.ToByteArray())).ToList();
    var rawSqlite = RawStoreBaselines.Sqlite(Path.Combine(work, "raw.db"), changeBytes, batchSize);

    // Issue 4: the relay on SQLite.
    await using (var relay = await BenchHosts.StartRelayAsync(Path.Combine(work, "sqlite"), RelayStoreKind.Sqlite, null))
    {
        using var writer = new BenchDevice(relay.Address, await relay.CreateDeviceAsync("bench-writer", ["lead"]));
        var sqlitePush = await PushWithWarmupAsync([writer], pushChanges);
        Figures.Print(new
        {
            Bench = "push", Store = "sqlite", Instances = 1, Changes = pushChanges, Batch = batchSize,
            ChangesPerS = Figures.Round(sqlitePush), EchoGrpcChangesPerS = Figures.Round(echoPush), RawSqliteRowsPerS = Figures.Round(rawSqlite),
        });

        if (!pushOnly)
        {
            var readers = await ReadersAsync(relay, relay, 10);
            var fan = await FanOutBench.RunAsync(writer, readers, subscribers, fanWarmup, fanRounds);
            Figures.Print(new { Bench = "fanout", Store = "sqlite", AcrossInstances = false, Subscribers = subscribers, fan.Samples,
                fan.AcceptedToDeliveryP50Ms, fan.AcceptedToDeliveryP99Ms, fan.PushToDeliveryP50Ms, fan.PushToDeliveryP99Ms,
                EchoUnaryP50Ms = echoLatency.P50Ms, EchoUnaryP99Ms = echoLatency.P99Ms });
            DisposeAll(readers);
        }
    }

    // This issue: one and two relay instances on one PostgreSQL database.
    var server = await BenchHosts.PostgresServerAsync();
    var database = await BenchHosts.CreateDatabaseAsync(server);
    try
    {
        var rawPostgres = await RawStoreBaselines.PostgresAsync(database, changeBytes, batchSize);
        await using var first = await BenchHosts.StartRelayAsync(Path.Combine(work, "pg-a"), RelayStoreKind.Postgres, database);
        await using var second = await BenchHosts.StartRelayAsync(Path.Combine(work, "pg-b"), RelayStoreKind.Postgres, database);
        using var writerA = new BenchDevice(first.Address, await first.CreateDeviceAsync("bench-writer-a", ["lead"]));
        using var writerB = new BenchDevice(second.Address, await second.CreateDeviceAsync("bench-writer-b", ["lead"]));
        var onePush = await PushWithWarmupAsync([writerA], pushChanges);
        var twoPush = await PushWithWarmupAsync([writerA, writerB], pushChanges);
        foreach (var (instances, rate) in new[] { (1, onePush), (2, twoPush) })
        {
            Figures.Print(new
            {
                Bench = "push", Store = "postgres", Instances = instances, Changes = pushChanges, Batch = batchSize,
                ChangesPerS = Figures.Round(rate), EchoGrpcChangesPerS = Figures.Round(echoPush), RawPostgresRowsPerS = Figures.Round(rawPostgres),
            });
        }

        foreach (var across in pushOnly ? [] : new[] { false, true })
        {
            var readers = await ReadersAsync(first, across ? second : first, 10);
            var fan = await FanOutBench.RunAsync(writerA, readers, subscribers, fanWarmup, fanRounds);
            Figures.Print(new { Bench = "fanout", Store = "postgres", AcrossInstances = across, Subscribers = subscribers, fan.Samples,
                fan.AcceptedToDeliveryP50Ms, fan.AcceptedToDeliveryP99Ms, fan.PushToDeliveryP50Ms, fan.PushToDeliveryP99Ms,
                EchoUnaryP50Ms = echoLatency.P50Ms, EchoUnaryP99Ms = echoLatency.P99Ms });
            DisposeAll(readers);
        }
    }
    finally
    {
        await BenchHosts.DropDatabaseAsync(server, database);
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try
    {
        Directory.Delete(work, recursive: true);
    }
    catch (IOException)
    {
        // A leftover temp folder is harmless.
    }
}

static async Task<IReadOnlyList<BenchDevice>> ReadersAsync(RelayHost registrar, RelayHost host, int count)
{
    var readers = new List<BenchDevice>();
    for (var i = 0; i < count; i++)
    {
        readers.Add(new BenchDevice(host.Address, await registrar.CreateDeviceAsync($"bench-reader-{Guid.NewGuid():N}", ["viewer"])));
    }

    return readers;
}

static void DisposeAll(IEnumerable<BenchDevice> devices)
{
    foreach (var device in devices)
    {
        device.Dispose();
    }
}
