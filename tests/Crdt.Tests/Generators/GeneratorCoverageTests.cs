using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>
/// Counters that prove the generators reach the rare paths the laws are about (ties, concurrency, journals,
/// deletes, refused deliveries, accepted mutations). Sampled from a fixed seed, so the counts are deterministic.
/// </summary>
public class GeneratorCoverageTests(ITestOutputHelper output)
{
    private const int SampleCount = 400;

    private static T[] Sample<T>(Gen<T> gen) => Gen.Sample(gen, SampleCount, new Rnd(20261101UL, 7UL), 30);

    [Fact]
    public void Simulated_histories_often_hold_ties_concurrency_conflicts_deletes_and_refused_deliveries()
    {
        var results = Sample(ReplicaSimulation.Scenarios).Select(s => s.Run()).ToArray();
        var counts = new Dictionary<string, int>
        {
            ["equal stamp times across replicas"] = results.Count(r => r.Changes.GroupBy(c => c.Stamp.Time).Any(g => g.Select(c => c.Id.Origin).Distinct().Count() > 1)),
            ["concurrent writes of one field"] = results.Count(r => ConcurrentWritesOfAField(r.Changes)),
            ["a conflict journal entry"] = results.Count(r => StateBytes.Build(r.Changes).Journal.Count > 0),
            ["a delete"] = results.Count(r => r.Changes.Any(c => c.Kind == ChangeKind.Delete)),
            ["a write after a delete was seen"] = results.Count(r => r.Changes.Any(c => c.Kind == ChangeKind.Upsert && r.Changes.Any(d => d.Kind == ChangeKind.Delete && c.Base.Includes(d.Id)))),
            ["a refused delivery"] = results.Count(r => r.RefusedDeliveries > 0),
            ["an out-of-order delivery"] = results.Count(r => r.ReplicaLogs.Any(log => log.GroupBy(c => c.Id.Origin).Any(g => g.Select(c => c.Id.Sequence).Zip(g.Skip(1).Select(c => c.Id.Sequence)).Any(p => p.First > p.Second)))),
            ["a counter above 0 (wall clock stood still or stepped back)"] = results.Count(r => r.Changes.Zip(r.Changes.Skip(1)).Any(p => p.First.Id.Origin == p.Second.Id.Origin && p.Second.Stamp.Counter > 0)),
        };
        Report(counts);
        Assert.All(counts, c => Assert.True(c.Value >= SampleCount / 50, $"only {c.Value} of {SampleCount} histories had {c.Key}"));
    }

    [Fact]
    public void Arbitrary_sets_often_hold_conflicts_and_deletes()
    {
        var sets = Sample(ChangeGenerators.ArbitrarySet);
        var counts = new Dictionary<string, int>
        {
            ["a conflict journal entry"] = sets.Count(s => StateBytes.Build(s).Journal.Count > 0),
            ["a delete"] = sets.Count(s => s.Any(c => c.Kind == ChangeKind.Delete)),
            ["no delete"] = sets.Count(s => s.All(c => c.Kind != ChangeKind.Delete)),
            ["equal stamps from two replicas"] = sets.Count(s => s.GroupBy(c => c.Stamp.Time).Any(g => g.Select(c => c.Id.Origin).Distinct().Count() > 1)),
        };
        Report(counts);
        Assert.All(counts, c => Assert.True(c.Value >= SampleCount / 20, $"only {c.Value} of {SampleCount} sets had {c.Key}"));
    }

    [Fact]
    public void Mutated_encodings_are_sometimes_accepted_and_often_refused_for_each_reason()
    {
        var changes = Sample(ChangeGenerators.AnyChange).Select(ChangeCodec.Encode).ToArray();
        var random = new Random(7);
        var accepted = 0;
        var kinds = new Dictionary<DecodeErrorKind, int>();
        foreach (var bytes in changes)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            if (ChangeCodec.TryDecode(mutated, out _, out var error))
            {
                accepted++;
            }
            else
            {
                kinds[error!.Kind] = kinds.GetValueOrDefault(error.Kind) + 1;
            }
        }

        output.WriteLine($"accepted {accepted}; refused: {string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"))}");
        Assert.True(accepted >= SampleCount / 50, $"only {accepted} mutated encodings were accepted");
        Assert.True(kinds.Count >= 4, "mutations reached fewer than four kinds of decode error");
    }

    private static bool ConcurrentWritesOfAField(IReadOnlyList<Change> changes) =>
        changes.Any(a => changes.Any(b => a.Id.Origin != b.Id.Origin && !a.Base.Includes(b.Id) && !b.Base.Includes(a.Id) &&
            a.Kind == ChangeKind.Upsert && b.Kind == ChangeKind.Upsert && a.Fields.Any(f => b.TryGetField(f.Name, out _))));

    private void Report(Dictionary<string, int> counts)
    {
        foreach (var (what, count) in counts)
        {
            output.WriteLine($"{count,4} of {SampleCount}: {what}");
        }
    }
}
