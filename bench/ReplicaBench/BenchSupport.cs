using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Replica;
using Microsoft.Data.Sqlite;

namespace CrdtSync.ReplicaBench;

/// <summary>The bench app's configuration: the <c>records</c> collection of WORKLOADS.md section 3.1, one action, one role.</summary>
internal static class BenchConfiguration
{
    public const string User = "bench";

    public static readonly string[] Roles = ["writer"];

    public const string Json = """
        {
          "cacheLifetime": "7.00:00:00",
          "clockSkewMax": "00:05:00",
          "limits": { "batchCountMax": 1000, "messageBytesMax": 4194304, "pullPageCountMax": 1000, "pushesPerSecondMax": 0 },
          "collections": {
            "records": {
              "fields": {
                "name":   { "type": "string" },
                "email":  { "type": "string" },
                "city":   { "type": "string" },
                "age":    { "type": "int64" },
                "score":  { "type": "int64" },
                "visits": { "type": "int64" },
                "active": { "type": "bool" },
                "admin":  { "type": "bool" }
              },
              "actions": {
                "touch": { "effects": { "city": "touched" }, "offline": true }
              }
            }
          },
          "roles": {
            "writer": { "records": { "read": true, "write": true, "delete": true, "actions": "*" } }
          }
        }
        """;

    /// <summary>Opens (creating) a replica of peer <paramref name="peer"/> at <paramref name="path"/>, configured and connected.</summary>
    public static async Task<ReplicaStore> OpenAsync(string path, CommitDurability durability, ulong peer)
    {
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = path, Durability = durability, ReplicaId = ReplicaId.FromPeerNumber(peer) }, TimeProvider.System, new Random((int)peer));
        if (replica.Configuration is null)
        {
            await replica.ConfigureAsync(Json, User, Roles);
        }

        replica.SetConnected(true);
        return replica;
    }
}

/// <summary>
/// The baseline: raw Microsoft.Data.Sqlite on a real file with the replica's pragmas (WAL, the same <c>synchronous</c>, set
/// on this connection), a table shaped like the replica's <c>records</c>, prepared commands, one transaction per operation.
/// </summary>
internal sealed class RawStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter _id;
    private readonly SqliteParameter _blob;

    public RawStore(string path, CommitDurability durability)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute(durability == CommitDurability.Full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS records (collection TEXT NOT NULL, record_id TEXT NOT NULL, confirmed BLOB, visible BLOB,
                visible_exists INTEGER NOT NULL, status INTEGER NOT NULL, PRIMARY KEY (collection, record_id)) WITHOUT ROWID;
            """);
        Synchronous = (long)Scalar("PRAGMA synchronous;")!;
        JournalMode = (string)Scalar("PRAGMA journal_mode;")!;
        _upsert = _connection.CreateCommand();
        _upsert.CommandText = """
            INSERT INTO records (collection, record_id, confirmed, visible, visible_exists, status) VALUES ('records', $id, $blob, NULL, 1, 0)
            ON CONFLICT (collection, record_id) DO UPDATE SET confirmed = excluded.confirmed, visible_exists = 1, status = 0
            """;
        _id = _upsert.Parameters.Add("$id", SqliteType.Text);
        _blob = _upsert.Parameters.Add("$blob", SqliteType.Blob);
        _upsert.Prepare();
    }

    /// <summary>PRAGMA synchronous as the connection reports it (2 = FULL, 1 = NORMAL): proof the baseline is durable.</summary>
    public long Synchronous { get; }

    public string JournalMode { get; }

    /// <summary>One upsert, committed in its own transaction.</summary>
    public void UpsertOne(string id, byte[] blob)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        _upsert.Transaction = transaction;
        _id.Value = id;
        _blob.Value = blob;
        _upsert.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Many upserts in one transaction.</summary>
    public void UpsertBatch(IReadOnlyList<string> ids, IReadOnlyList<byte[]> blobs)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        _upsert.Transaction = transaction;
        for (var i = 0; i < ids.Count; i++)
        {
            _id.Value = ids[i];
            _blob.Value = blobs[i];
            _upsert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _connection.Dispose();
    }
}

/// <summary>Figures over trials printed as one JSON line (median, min, max), with facts; layer <c>replica</c>.</summary>
internal sealed class Figures(string workload, string size, int trials)
{
    private readonly List<(string Name, List<double> Values)> _figures = [];
    private readonly List<(string Name, string Json)> _facts = [];

    public void Add(string name, double value)
    {
        var index = _figures.FindIndex(f => f.Name == name);
        if (index < 0)
        {
            _figures.Add((name, [value]));
        }
        else
        {
            _figures[index].Values.Add(value);
        }
    }

    public double Median(string name) => Stats.Median(_figures.First(f => f.Name == name).Values);

    public void Fact(string name, object value)
    {
        _facts.RemoveAll(f => f.Name == name);
        _facts.Add((name, JsonSerializer.Serialize(value)));
    }

    public string ToJsonLine()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"{{\"workload\":\"{workload}\",\"layer\":\"replica\",\"size\":\"{size}\",\"trials\":{trials}");
        foreach (var (name, values) in _figures)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"{name}\":{{\"median\":{Format(Stats.Median(values))},\"min\":{Format(values.Min())},\"max\":{Format(values.Max())}}}");
        }

        foreach (var (name, json) in _facts)
        {
            builder.Append(CultureInfo.InvariantCulture, $",\"{name}\":{json}");
        }

        return builder.Append('}').ToString();
    }

    private static string Format(double value) => Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);
}

internal static class Stats
{
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IReadOnlyCollection<double> values, int percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    public static double Ms(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    /// <summary>
    /// CPU time of the calling thread in µs (Linux; -1 elsewhere), system time included (the write and fsync calls), waiting
    /// for the disk or for a core excluded: on the loaded shared machine it moves far less than the wall clock. The replica's
    /// calls complete synchronously, so an operation runs on the thread that measures it.
    /// </summary>
    public static double ThreadCpuUs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts) == 0 ? (ts.Seconds * 1e6) + (ts.Nanoseconds / 1e3) : -1;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

#pragma warning disable SYSLIB1054, CA5392
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054, CA5392

    public static double Us(long start) => Stopwatch.GetElapsedTime(start).TotalMicroseconds;
}

/// <summary>
/// Counts the pages a workload writes to a database's WAL (each is one frame, so one more 4 KiB write before the commit's
/// fsync), through a second connection: empty the WAL, run the workload, read the WAL's frame count.
/// </summary>
internal static class WalFrames
{
    /// <summary>WAL frames written by <paramref name="work"/> (which must write fewer than the auto-checkpoint's 1,000 pages).</summary>
    public static async Task<long> CountAsync(string path, Func<Task> work)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Checkpoint(connection, "TRUNCATE");
        await work();
        return Checkpoint(connection, "PASSIVE");
    }

    /// <summary>Runs a checkpoint; returns the frames that were in the WAL.</summary>
    private static long Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = command.ExecuteReader();
        reader.Read();
        if (reader.GetInt64(0) != 0)
        {
            throw new BenchCheckException($"wal_checkpoint({mode}) was blocked: the page count would be wrong");
        }

        return reader.GetInt64(1);
    }
}

internal sealed class BenchCheckException(string message) : Exception(message);
