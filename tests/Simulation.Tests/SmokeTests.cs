using CrdtSync.Testing;
using CrdtSync.Testing.Schedules;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Simulation.Tests;

public class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_few_seeds_run()
    {
        var options = new SimulationOptions();
        var report = await Simulator.RunSeedsAsync(Enumerable.Range(1, 20), options);
        output.WriteLine(report.Counters.ToString());
        output.WriteLine($"{report.SchedulesPerSecond:F1} schedules/s");
    }
}
