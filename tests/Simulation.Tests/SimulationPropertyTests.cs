using CrdtSync.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Simulation.Tests;

/// <summary>
/// The simulator over the real replica and relay: fixed seeds (every rare path must run) and random seeds. Scale with
/// CRDTSYNC_SIM_SCHEDULES (random schedules; default 10); replay one with CRDTSYNC_SIM_SEED.
/// </summary>
public class SimulationPropertyTests(ITestOutputHelper output)
{
    /// <summary>Seeds CI always runs; together they exercise every counter.</summary>
    public static readonly int[] FixedSeeds = [.. Enumerable.Range(1, 40)];

    [Fact]
    public async Task Fixed_seeds_keep_every_property_and_exercise_every_rare_path()
    {
        var report = await Simulator.RunSeedsAsync(FixedSeeds, new SimulationOptions(), Replay);
        output.WriteLine($"fixed seeds: {report.Counters.Schedules} schedules in {report.Elapsed.TotalSeconds:F1} s ({report.SchedulesPerSecond:F2} schedules/s)");
        output.WriteLine(report.Counters.ToString());
        foreach (var (name, value) in report.Counters.ToDictionary().Where(c => !SimulationCounters.PeerLinkCounters.Contains(c.Key)))
        {
            Assert.True(value > 0, $"Counter {name} is 0: the fixed seeds never exercised that path.");
        }
    }

    [Fact]
    public async Task Random_schedules_keep_every_property()
    {
        var start = Environment.TickCount & int.MaxValue;
        var seeds = Simulator.SeedsFromEnvironment([], randomCount: 10, randomStart: start);
        output.WriteLine($"random seeds {string.Join(",", seeds.Take(5))}{(seeds.Count > 5 ? ",..." : string.Empty)} ({seeds.Count} schedules)");
        var report = await Simulator.RunSeedsAsync(seeds, new SimulationOptions(), Replay);
        output.WriteLine($"{report.Counters.Schedules} schedules in {report.Elapsed.TotalSeconds:F1} s ({report.SchedulesPerSecond:F2} schedules/s)");
        output.WriteLine(report.Counters.ToString());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_run()
    {
        var first = await Simulator.RunSeedsAsync([7], new SimulationOptions());
        var second = await Simulator.RunSeedsAsync([7], new SimulationOptions());
        Assert.Equal(first.Counters.ToString(), second.Counters.ToString());
    }

    private static string Replay(int seed) =>
        $"{Simulator.SeedVariable}={seed} dotnet test tests/Simulation.Tests --filter \"FullyQualifiedName~Random_schedules_keep_every_property\"";
}
