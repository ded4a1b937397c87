using CrdtSync.Testing;
using CrdtSync.Testing.Schedules;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Simulation.Tests;

/// <summary>The same simulator as a plain FsCheck property (how a user plugs it into their own FsCheck tests).</summary>
public class FsCheckPropertyTests
{
    [Fact]
    public void Generated_schedules_over_the_incidents_configuration_converge_as_an_fscheck_property()
    {
        var options = new SimulationOptions { StepCount = 30 };
        var generator = new ScheduleGenerator(options);
        var property = Prop.ForAll(generator.Arbitrary(), schedule => Simulator.RunAsync(schedule, options).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5), property);
    }

    [Fact]
    public void Shrinking_a_schedule_only_removes_steps_and_keeps_its_seed()
    {
        var schedule = new ScheduleGenerator(new SimulationOptions { StepCount = 8 }).FromSeed(3);
        var smaller = ScheduleGenerator.Shrink(schedule).ToList();
        Assert.NotEmpty(smaller);
        Assert.All(smaller, s =>
        {
            Assert.Equal(schedule.Seed, s.Seed);
            Assert.True(s.Steps.Count < schedule.Steps.Count);
            Assert.All(s.Steps, step => Assert.Contains(step, schedule.Steps));
        });
    }
}
