using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Tests.Support;

namespace CrdtSync.Replica.Tests.Faults;

/// <summary>
/// The child process of the crash test: opens the replica and, forever, creates a task or edits one it created,
/// printing each write only after it committed (<c>created id title</c> / <c>edited id title</c>).
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
            if (mine.Count > 0 && random.Next(3) == 0)
            {
                var id = mine[random.Next(mine.Count)];
                await store.UpdateAsync("tasks", id, new Dictionary<string, Value> { ["title"] = Value.String(title) });
                await output.WriteLineAsync($"edited {id} {title}");
            }
            else
            {
                var id = await store.CreateAsync("tasks", new Dictionary<string, Value> { ["title"] = Value.String(title) });
                mine.Add(id.Text);
                await output.WriteLineAsync($"created {id} {title}");
            }

            await output.FlushAsync();
        }
    }
}
