using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Tests.Support;

namespace CrdtSync.Replica.Tests.Faults;

/// <summary>
/// The child process of the crash test: opens the replica and, forever, creates a task, edits one it created, or creates
/// one and discards its entry, printing each write only after it committed with its change's sequence and stamp time
/// (<c>created id title sequence time</c> / <c>edited id title sequence time</c> / <c>discarded sequence time</c>).
/// </summary>
internal static class CrashWriter
{
    public const string Command = "crash-writer";

    public static async Task RunAsync(string databasePath, int seed)
    {
        var random = new Random(seed);
        using var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = databasePath }, TimeProvider.System, random);
        if (store.Configuration is null)
        {
            await store.ConfigureAsync(Samples.IncidentsJson, "crash", ["lead"]);
        }

        var output = Console.Out;
        await output.WriteLineAsync("ready");
        await output.FlushAsync();
        var mine = new List<string>();
        for (var n = 0; ; n++)
        {
            var title = $"{seed}-{n}";
            var pick = random.Next(6);
            if (pick == 0)
            {
                // A local write whose entry is discarded at once: the newest sequence leaves the outbox (its high-water mark
                // must survive any crash, or the next process would use the sequence again).
                var scratch = await store.CreateAsync("tasks", new Dictionary<string, Value> { ["title"] = Value.String(title) });
                var entry = (await store.GetOutboxAsync("tasks", scratch.Text))[^1];
                await store.DiscardAsync(entry.EntryId);
                await output.WriteLineAsync($"discarded {entry.Change.Id.Sequence} {entry.Change.Stamp.Time}");
            }
            else if (mine.Count > 0 && pick <= 2)
            {
                var id = mine[random.Next(mine.Count)];
                await store.UpdateAsync("tasks", id, new Dictionary<string, Value> { ["title"] = Value.String(title) });
                await output.WriteLineAsync($"edited {id} {title} {await NewestAsync(store, id)}");
            }
            else
            {
                var id = await store.CreateAsync("tasks", new Dictionary<string, Value> { ["title"] = Value.String(title) });
                mine.Add(id.Text);
                await output.WriteLineAsync($"created {id} {title} {await NewestAsync(store, id.Text)}");
            }

            await output.FlushAsync();
        }
    }

    /// <summary>The sequence and stamp time of the record's newest entry (the write just committed), as <c>sequence time</c>.</summary>
    private static async Task<string> NewestAsync(ReplicaStore store, string id)
    {
        var entry = (await store.GetOutboxAsync("tasks", id))[^1];
        return $"{entry.Change.Id.Sequence} {entry.Change.Stamp.Time}";
    }
}
