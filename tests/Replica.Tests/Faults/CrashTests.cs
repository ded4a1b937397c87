using System.Diagnostics;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Replica.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Replica.Tests.Faults;

public class CrashTests(ITestOutputHelper output)
{
    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_CRASH_KILLS"), out var kills) ? kills : 50;

    [Fact]
    public async Task Every_reported_write_survives_SIGKILL_with_its_outbox_entry_and_no_entry_lacks_its_record()
    {
        using var folder = new TempFolder();
        var database = folder.File("crash.db");
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed={seed} kills={Kills}");
        var expectedTitles = new Dictionary<string, string>(StringComparer.Ordinal);
        var totalWrites = 0;
        var discards = 0;
        var usedSequences = new SortedSet<long>();
        ulong lastStampTime = 0;

        // Every sequence reported committed, by any of the processes, is new, and stamps only grow: a sequence or stamp is
        // never used twice, even when the newest entry was discarded just before a SIGKILL.
        void NoteUsed(string sequence, string time, string line)
        {
            Assert.True(usedSequences.Add(long.Parse(sequence, System.Globalization.CultureInfo.InvariantCulture)), $"Sequence used twice: {line}");
            var stampTime = ulong.Parse(time, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(stampTime > lastStampTime, $"Stamp not later than the previous one: {line}");
            lastStampTime = stampTime;
        }

        for (var kill = 0; kill < Kills; kill++)
        {
            var lines = await RunAndKillAsync(database, childSeed: seed + kill, writesBeforeKill: random.Next(0, 25), killAfter: TimeSpan.FromMilliseconds(random.Next(0, 15)));
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                if (parts is ["created" or "edited", var id, var title, var sequence, var time])
                {
                    expectedTitles[id] = title;
                    totalWrites++;
                    NoteUsed(sequence, time, $"{line} (seed={seed})");
                }
                else if (parts is ["discarded", var discardedSequence, var discardedTime])
                {
                    discards++;
                    NoteUsed(discardedSequence, discardedTime, $"{line} (seed={seed})");
                }
            }

            Check(database, expectedTitles, $"after kill {kill + 1} (seed={seed})");
            CheckHighWater(database, usedSequences.Count == 0 ? 0 : usedSequences.Max, lastStampTime, $"after kill {kill + 1} (seed={seed})");
        }

        output.WriteLine($"{totalWrites} writes and {discards} discards reported committed over {Kills} kills; {expectedTitles.Count} records");
        Assert.True(totalWrites > 0, "The child never reported a committed write: the test proved nothing.");
    }

    private static async Task<List<string>> RunAndKillAsync(string database, int childSeed, int writesBeforeKill, TimeSpan killAfter)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CrashWriter).Assembly.Location);
        start.ArgumentList.Add(CrashWriter.Command);
        start.ArgumentList.Add(database);
        start.ArgumentList.Add(childSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var child = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();

        // Kill once the child reported some writes (0 included), then after a random few milliseconds: a random point mid-write.
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }

                if (lines.Count > writesBeforeKill)
                {
                    ready.TrySetResult();
                }
            }

            ready.TrySetResult();
        });
        var errors = child.StandardError.ReadToEndAsync();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            child.Kill();
            throw new InvalidOperationException($"The crash writer did not start writing within 30 s: {await errors}");
        }

        await Task.Delay(killAfter);
        if (!child.HasExited)
        {
            child.Kill(); // SIGKILL on Unix.
        }
        else
        {
            throw new InvalidOperationException($"The crash writer exited by itself: {await errors}");
        }

        await child.WaitForExitAsync();
        await reading;
        return lines;
    }

    /// <summary>Titles are <c>childSeed-n</c>; a record is only edited by the child that made it, so later means the same child and a greater n.</summary>
    private static bool IsSameOrLater(string actual, string expected)
    {
        var a = actual.LastIndexOf('-');
        var e = expected.LastIndexOf('-');
        return actual.AsSpan(0, a).SequenceEqual(expected.AsSpan(0, e)) && long.Parse(actual[(a + 1)..]) >= long.Parse(expected[(e + 1)..]);
    }

    /// <summary>What the store recovers at open (the later of the identity row and the newest outbox entry) covers every reported sequence and stamp.</summary>
    private static void CheckHighWater(string database, long sequenceMax, ulong stampTimeMax, string when)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT max(i.last_sequence, coalesce((SELECT max(change_sequence) FROM outbox), 0)),
                   max(i.clock_time, coalesce((SELECT max(stamp_time) FROM outbox), 0))
            FROM replica_identity i
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"No identity row {when}.");
        Assert.True(reader.GetInt64(0) >= sequenceMax, $"The recoverable sequence {reader.GetInt64(0)} is below the reported {sequenceMax} {when}.");
        Assert.True((ulong)reader.GetInt64(1) >= stampTimeMax, $"The recoverable clock {reader.GetInt64(1)} is below the reported stamp {stampTimeMax} {when}.");
    }

    private static void Check(string database, Dictionary<string, string> expectedTitles, string when)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", (string)command.ExecuteScalar()!);

        command.CommandText = "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.collection = o.collection AND r.record_id = o.record_id)";
        Assert.True((long)command.ExecuteScalar()! == 0, $"An outbox entry lacks its record {when}.");

        var visible = new Dictionary<string, string>(StringComparer.Ordinal);
        command.CommandText = "SELECT record_id, coalesce(visible, confirmed) FROM records WHERE collection = 'tasks'";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                visible[reader.GetString(0)] = RecordStateCodec.Decode((byte[])reader[1])["title"].AsString;
            }
        }

        var withEntries = new HashSet<string>(StringComparer.Ordinal);
        command.CommandText = "SELECT DISTINCT record_id FROM outbox";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                withEntries.Add(reader.GetString(0));
            }
        }

        foreach (var (id, title) in expectedTitles)
        {
            Assert.True(visible.TryGetValue(id, out var actual), $"Record {id} reported committed is missing {when}.");
            Assert.True(withEntries.Contains(id), $"Record {id} has no outbox entry {when}.");

            // The last reported write of a record is there, or a later one that was committed but not yet reported.
            Assert.True(IsSameOrLater(actual!, title), $"Record {id} shows '{actual}', older than its committed write '{title}' {when}.");
        }
    }
}
