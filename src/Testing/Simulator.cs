using System.Diagnostics;
using CrdtSync.Testing.Checks;
using CrdtSync.Testing.Schedules;

namespace CrdtSync.Testing;

/// <summary>
/// Runs simulations: N real replicas (<c>ReplicaStore</c> on SQLite files) and a real relay (<c>RelayEndpoint</c> on its
/// SQLite store) in one process, over an in-memory network that drops, duplicates, delays and partitions, with crashes
/// and skewed clocks, all driven by one seed on one thread. After the schedule, faults heal, outboxes drain (simulated
/// users retry or discard errors) and the properties are checked; a broken one throws.
/// </summary>
public static class Simulator
{
    /// <summary>The environment variable that sets how many random schedules a run checks.</summary>
    public const string SchedulesVariable = "CRDTSYNC_SIM_SCHEDULES";

    /// <summary>The environment variable that replays one seed.</summary>
    public const string SeedVariable = "CRDTSYNC_SIM_SEED";

    /// <summary>
    /// Runs one schedule and checks every property. Throws <see cref="InvariantViolationException"/> when a property is
    /// broken (or whatever the real code threw); returns the counters of the run.
    /// </summary>
    public static async Task<SimulationCounters> RunAsync(Schedule schedule, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        var run = new SimulationRun(schedule, options);
        try
        {
            await run.ExecuteAsync().ConfigureAwait(false);
            return run.Counters;
        }
        catch (Exception error) when (error is not InvariantViolationException)
        {
            throw new InvariantViolationException("no-unexpected-error", $"step {run.CurrentStep}: {error.GetType().Name}: {error.Message}{Environment.NewLine}{error.StackTrace}");
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the schedule of each seed. On the first failure, shrinks it (removing steps while it still fails with the same
    /// property) and throws <see cref="SimulationFailedException"/> with the seed, <paramref name="replayCommand"/> for it
    /// and the shrunk schedule. Returns the summed counters and the rate.
    /// </summary>
    public static async Task<SimulationReport> RunSeedsAsync(IEnumerable<int> seeds, SimulationOptions options, Func<int, string>? replayCommand = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        var generator = new ScheduleGenerator(options);
        var total = new SimulationCounters();
        var watch = Stopwatch.StartNew();
        foreach (var seed in seeds)
        {
            var schedule = generator.FromSeed(seed);
            try
            {
                total.Add(await RunAsync(schedule, options).ConfigureAwait(false));
            }
            catch (InvariantViolationException failure)
            {
                var shrunk = await ShrinkAsync(schedule, options, failure.Property).ConfigureAwait(false);
                throw new SimulationFailedException(seed, shrunk, (replayCommand ?? DefaultReplayCommand)(seed), failure);
            }
        }

        return new SimulationReport(total, watch.Elapsed);
    }

    /// <summary>The smallest schedule found (greedy removal of chunks, then of single steps) that still breaks <paramref name="property"/>.</summary>
    public static async Task<Schedule> ShrinkAsync(Schedule failing, SimulationOptions options, string property, int runsMax = 300)
    {
        ArgumentNullException.ThrowIfNull(failing);
        var runs = 0;
        var current = failing;
        var progress = true;
        while (progress && runs < runsMax)
        {
            progress = false;
            foreach (var candidate in ScheduleGenerator.Shrink(current))
            {
                if (++runs > runsMax)
                {
                    break;
                }

                try
                {
                    await RunAsync(candidate, options).ConfigureAwait(false);
                }
                catch (InvariantViolationException again) when (again.Property == property)
                {
                    current = candidate;
                    progress = true;
                    break;
                }
                catch (InvariantViolationException)
                {
                    // A different failure: not the same bug; keep looking.
                }
            }
        }

        return current;
    }

    /// <summary>The seeds to check: <paramref name="fixedSeeds"/>, then <see cref="SchedulesVariable"/> (default <paramref name="randomCount"/>) seeds from a random start (printed by the caller), or only <see cref="SeedVariable"/> when set.</summary>
    public static IReadOnlyList<int> SeedsFromEnvironment(IEnumerable<int> fixedSeeds, int randomCount, int randomStart)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var only))
        {
            return [only];
        }

        var count = int.TryParse(Environment.GetEnvironmentVariable(SchedulesVariable), out var n) ? n : randomCount;
        return [.. fixedSeeds, .. Enumerable.Range(0, Math.Max(0, count)).Select(i => unchecked(randomStart + i) & int.MaxValue)];
    }

    private static string DefaultReplayCommand(int seed) =>
        $"{SeedVariable}={seed} dotnet test tests/Simulation.Tests --filter \"FullyQualifiedName~Random_schedules\"";
}

/// <summary>What a run of many schedules did: the summed counters and how long it took.</summary>
/// <param name="Counters">The summed counters.</param>
/// <param name="Elapsed">Wall time of the run (reported, never asserted).</param>
public sealed record SimulationReport(SimulationCounters Counters, TimeSpan Elapsed)
{
    /// <summary>Schedules per second of wall time.</summary>
    public double SchedulesPerSecond => Counters.Schedules / Math.Max(Elapsed.TotalSeconds, 1e-9);
}
