using System.Diagnostics;
using CrdtSync.Protocol.V1;

namespace CrdtSync.RelayBench;

/// <summary>Push throughput: prepared batches pushed through real gRPC clients, each device's batches one after another, devices in parallel.</summary>
internal static class PushBench
{
    /// <summary>Pushes every batch; returns changes per second. Fails when a change is not accepted.</summary>
    public static async Task<double> RunAsync(IReadOnlyList<(Sync.SyncClient Client, IReadOnlyList<PushRequest> Batches)> pushers)
    {
        var total = pushers.Sum(p => p.Batches.Sum(b => b.Changes.Count));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(pushers.Select(p => Task.Run(async () =>
        {
            foreach (var batch in p.Batches)
            {
                var response = await p.Client.PushAsync(batch, deadline: DateTime.UtcNow.AddMinutes(2));
                if (response.Outcomes.Any(o => o.Kind != OutcomeKind.Accepted))
                {
                    throw new InvalidOperationException("A benchmark change was not accepted: " + response.Outcomes.First(o => o.Kind != OutcomeKind.Accepted));
                }
            }
        })));
        return total / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The batches of one device: <paramref name="changes"/> changes in batches of <paramref name="batchSize"/>.</summary>
    public static IReadOnlyList<PushRequest> Batches(BenchDevice device, string prefix, int changes, int batchSize) =>
        Enumerable.Range(0, changes / batchSize).Select(_ => device.Batch(prefix, batchSize)).ToList();
}
