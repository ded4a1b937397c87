using System.Diagnostics;
using System.Text.Json;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica;
using CrdtSync.Replica.Peers;

// Anti-entropy between two peers that share 99% of 100,000 changes: bytes on the wire per missing change, and time.
// `dotnet run -c Release --project bench/PeerBench -- [--quick]` prints JSON lines. Real SQLite files, real Kestrel (h2c) on loopback.
var quick = args.Contains("--quick");
var total = quick ? 10_000 : 100_000;
var missing = total / 100;
const int Origins = 4;
const int Records = 1_000;
var json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "incidents.json"));
var folder = Path.Combine(Path.GetTempPath(), "crdtsync-peerbench", Guid.NewGuid().ToString("N"));

// The changes: Origins field devices, each a dense sequence of title/priority edits spread over Records incidents.
var changes = new List<Change>(total);
var perOrigin = total / Origins;
for (var o = 1; o <= Origins; o++)
{
    var origin = ReplicaId.FromPeerNumber((ulong)o);
    for (var s = 1; s <= perOrigin; s++)
    {
        changes.Add(Change.Upsert(new ChangeId(origin, s), new Stamp(1_700_000_000_000 + s, 0, origin), new CollectionName("incidents"),
            new RecordId($"inc-{(s * 7919 + o) % Records:D4}"), VersionVector.Empty,
            [new FieldValue(new FieldName("title"), Value.String($"Incident {s} seen by device {o}")), new FieldValue(new FieldName("priority"), Value.Int64(1 + (s % 5)))]));
    }
}

var missingPerOrigin = missing / Origins;
var shared = changes.Where(c => c.Id.Sequence <= perOrigin - missingPerOrigin).ToList();

async Task<ReplicaStore> OpenAsync(string name, IReadOnlyList<Change> content)
{
    var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(folder, name + ".db"), Durability = CommitDurability.Normal });
    await store.ConfigureAsync(json, name, ["agent"]);
    foreach (var part in content.Chunk(2_000))
    {
        await store.ApplyPeerChangesAsync(new PeerChangeSet(part, []));
    }

    return store;
}

var load = Stopwatch.StartNew();
using var a = await OpenAsync("a", changes);
var loadSeconds = load.Elapsed.TotalSeconds;
const string Secret = "bench-team-secret-0123456789";
var runs = new List<(double Ms, long Bytes, int Received)>();
for (var run = 0; run < (quick ? 2 : 4); run++)
{
    using var b = await OpenAsync("b" + run, shared);
    await using var server = await PeerServer.StartAsync(a, new PeerServerOptions { ListenAddress = "127.0.0.2", TeamSecret = Secret });
    using var client = new PeerClient(b, new PeerClientOptions { TeamSecret = Secret });
    var clock = Stopwatch.StartNew();
    var report = await client.SyncWithAsync(server.Address);
    clock.Stop();
    runs.Add((clock.Elapsed.TotalMilliseconds, report.BytesReceived + report.BytesSent, report.Received));
}

// Baseline in the same run: the same missing changes as one compact batch, and a second round with nothing missing.
var missingChanges = changes.Where(c => c.Id.Sequence > perOrigin - missingPerOrigin).ToList();
var batchBytes = CrdtSync.Crdt.Encoding.ChangeBatchCodec.Encode(missingChanges).Length;
var canonicalBytes = missingChanges.Sum(c => CrdtSync.Crdt.Encoding.ChangeCodec.Encode(c).Length);
var measured = runs.Skip(1).ToList(); // the first run warms up the JIT
var median = measured.OrderBy(r => r.Ms).ElementAt(measured.Count / 2);
Console.WriteLine(JsonSerializer.Serialize(new
{
    bench = "peer_anti_entropy",
    changes_total = total,
    changes_missing = missing,
    received = median.Received,
    time_ms_median = Math.Round(median.Ms, 1),
    wire_bytes = median.Bytes,
    wire_bytes_per_missing_change = Math.Round(median.Bytes / (double)missing, 1),
    baseline_batch_bytes_per_change = Math.Round(batchBytes / (double)missing, 1),
    baseline_canonical_bytes_per_change = Math.Round(canonicalBytes / (double)missing, 1),
    load_seconds_for_side_a = Math.Round(loadSeconds, 1),
}));
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Directory.Delete(folder, recursive: true);
