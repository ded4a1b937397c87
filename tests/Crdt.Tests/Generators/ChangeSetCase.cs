using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>
/// A set of changes to one record for the merge laws: either what a simulated history authored (causally
/// plausible) or an arbitrary set, plus a seed for any shuffling or splitting the property does.
/// Shrinks through the scenario (dropping steps) or by dropping changes.
/// </summary>
public sealed record ChangeSetCase(Change[] Changes, int Seed, Scenario? Scenario)
{
    /// <summary>Half causal histories, half arbitrary sets.</summary>
    public static Gen<ChangeSetCase> Cases { get; } = Gen.OneOf(
        ReplicaSimulation.Scenarios.Select(FromScenario),
        from changes in ChangeGenerators.ArbitrarySet
        from seed in Gen.Choose(0, int.MaxValue)
        select new ChangeSetCase(changes, seed, null));

    /// <summary>The arbitrary of <see cref="Cases"/>.</summary>
    public static Arbitrary<ChangeSetCase> Arbitrary { get; } = Cases.ToArbitrary(Shrink);

    /// <summary>The changes a scenario authored.</summary>
    public static ChangeSetCase FromScenario(Scenario scenario) => new([.. scenario.Run().Changes], scenario.PermutationSeed, scenario);

    /// <summary>Smaller cases.</summary>
    public static IEnumerable<ChangeSetCase> Shrink(ChangeSetCase value) =>
        value.Scenario is { } scenario
            ? ReplicaSimulation.Shrink(scenario).Select(FromScenario)
            : ChangeGenerators.ShrinkSet(value.Changes).Select(changes => value with { Changes = changes })
                .Concat(value.Seed != 0 ? [value with { Seed = 0 }] : []);

    /// <inheritdoc />
    public override string ToString() =>
        (Scenario is null ? "arbitrary set" : "causal history") + $", seed {Seed}, changes " + ChangeGenerators.Describe(Changes) +
        (Scenario is null ? string.Empty : "\nfrom " + Scenario);
}
