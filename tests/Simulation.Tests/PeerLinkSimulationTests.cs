using CrdtSync.Crdt.Values;
using CrdtSync.Testing;
using CrdtSync.Testing.Schedules;
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
        Mix = new OperationMix { PeerSync = 8, PeerPartition = 1, Grant = 0, CompactLog = 0 },
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

    /// <summary>
    /// Found by fixed seed 3 (shrunk to 7 steps): ana creates r3 and shares it with cy; cy edits r3 and pushes before ana,
    /// so the relay refuses cy's edit and compensates; ana's create arrives after. The copies that merged cy's refused edit,
    /// whose author had seen ana's write, no longer journal that write, while the relay journals it as lost to the
    /// compensation. Values are equal everywhere; the check allows exactly that (docs/testing.md, "Peer links").
    /// </summary>
    [Fact]
    public async Task Regression_seed_3_a_copy_that_merged_a_refused_edit_may_journal_fewer_lost_writes_than_the_relay()
    {
        var schedule = new Schedule(3,
        [
            new LocalOperationStep(0, LocalOperationKind.Update, "incidents", 3, null, [new("assigned_to", Value.String("cy")), new("resolution", Value.String("c"))]),
            new PeerSyncStep(0, 2),
            new CrashRelayStep(RelayCrashPoint.AfterCommit),
            new LocalOperationStep(2, LocalOperationKind.Update, "incidents", 3, null, [new("priority", Value.Int64(1)), new("resolution", Value.String("ana"))]),
            new LocalOperationStep(0, LocalOperationKind.Delete, "incidents", 1, null, []),
            new LocalOperationStep(2, LocalOperationKind.Update, "incidents", 0, null, [new("assigned_to", Value.String("cy")), new("resolution", Value.String("c"))]),
            new SyncStep(2),
        ]);
        await Simulator.RunAsync(schedule, PeerTeam());
    }

    /// <summary>
    /// Found by fixed seed 4 once clocks skew in peer-link runs (shrunk to 4 steps): ben's edit, stamped 7 minutes ahead, is
    /// refused by the relay for clock skew and re-stamped under a new id; the old id kept its bytes in ben's change store, so
    /// ana merged the skewed change after the drain and journaled its writes, which the relay never saw. Now the old id is
    /// skipped on re-stamp and the re-stamped change's base includes it (docs/design/peers.md, "Clock skew among peers").
    /// </summary>
    [Fact]
    public async Task Regression_seed_4_a_change_refused_for_clock_skew_and_restamped_is_no_longer_shared_under_its_old_id()
    {
        var schedule = new Schedule(4,
        [
            new LocalOperationStep(1, LocalOperationKind.Action, "incidents", 3, "reopen", []),
            new ClockStep(1, 420_000),
            new LocalOperationStep(1, LocalOperationKind.Update, "incidents", 0, null, [new("assigned_to", Value.String("cy")), new("priority", Value.Int64(5))]),
            new SyncStep(1),
        ]);
        await Simulator.RunAsync(schedule, PeerTeam());
    }

    private static string Replay(int seed) =>
        $"{Simulator.SeedVariable}={seed} dotnet test tests/Simulation.Tests --filter \"FullyQualifiedName~Random_schedules_with_peer_links\"";
}
