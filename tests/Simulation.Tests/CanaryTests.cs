using CrdtSync.Testing;
using Xunit;

namespace CrdtSync.Simulation.Tests;

/// <summary>The harness must be able to fail: deliberate bugs it has to catch, with a seed to reproduce them.</summary>
public class CanaryTests
{
    [Fact]
    public async Task Canary_a_broken_merge_that_skips_pulled_changes_is_reported_as_divergence()
    {
        var options = new SimulationOptions { Sabotage = Sabotage.SkipSomePulledChanges };
        var failure = await Assert.ThrowsAsync<SimulationFailedException>(() => Simulator.RunSeedsAsync(Enumerable.Range(1, 20), options));
        Assert.Contains("[convergence]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("reproduce with seed=", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Shrunk.Steps.Count < new SimulationOptions().StepCount, "The failing schedule was not shrunk.");
    }

    [Fact]
    public async Task Canary_a_relay_that_forgets_outcomes_is_reported_as_a_second_outcome_for_one_change()
    {
        var options = new SimulationOptions { Sabotage = Sabotage.RelayForgetsOutcomes };
        var failure = await Assert.ThrowsAsync<SimulationFailedException>(() => Simulator.RunSeedsAsync(Enumerable.Range(1, 20), options));
        Assert.Contains("[one-outcome-per-change]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("reproduce with seed=", failure.Message, StringComparison.Ordinal);
    }
}
