using CrdtSync.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Simulation.Tests;

/// <summary>
/// The simulator with peer links: replicas also sync directly with each other (scheduled peer rounds, links cut and
/// healed), and every property still holds, plus peer convergence. Scale with CRDTSYNC_SIM_SCHEDULES; replay one with
/// CRDTSYNC_SIM_SEED (docs/testing.md, "Peer links").
/// </summary>
public class PeerLinkSimulationTests(ITestOutputHelper output)
{
    /// <summary>
    /// A team whose members read the same: peers share every change they hold with the whole team (no per-role filters
    /// among peers, docs/design/peers.md), so the simulated team has equal, fixed access and no log compaction (a replica
    /// resynced from a snapshot holds states, not the changes peers ask for).
    /// </summary>
    public static SimulationOptions PeerTeam() => new()
    {
        Users = [new SimulationUser("ana", ["lead"]), new SimulationUser("ben", ["lead"]), new SimulationUser("cy", ["lead"])],
        Mix = new OperationMix { PeerSync = 8, PeerPartition = 1, Grant = 0, CompactLog = 0, Clock = 0 },
    };

    [Fact]
    public async Task Fixed_seeds_with_peer_links_keep_every_property_and_exercise_the_peer_paths()
    {
        var report = await Simulator.RunSeedsAsync(Enumerable.Range(1, 20), PeerTeam(), Replay);
        output.WriteLine($"{report.Counters.Schedules} schedules in {report.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(report.Counters.ToString());
        foreach (var name in SimulationCounters.PeerLinkCounters)
        {
            Assert.True(report.Counters.ToDictionary()[name] > 0, $"Counter {name} is 0: the fixed seeds never exercised that path.");
        }
    }

    [Fact]
    public async Task Random_schedules_with_peer_links_keep_every_property()
    {
        var seeds = Simulator.SeedsFromEnvironment([], randomCount: 5, randomStart: Environment.TickCount & int.MaxValue);
        output.WriteLine($"random seeds {string.Join(",", seeds)}");
        var report = await Simulator.RunSeedsAsync(seeds, PeerTeam(), Replay);
        output.WriteLine(report.Counters.ToString());
    }

    private static string Replay(int seed) =>
        $"{Simulator.SeedVariable}={seed} dotnet test tests/Simulation.Tests --filter \"FullyQualifiedName~Random_schedules_with_peer_links\"";
}
