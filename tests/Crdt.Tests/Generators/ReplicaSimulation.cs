using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Versions;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>What one step of a simulated history does.</summary>
public enum StepKind
{
    /// <summary>The replica's wall clock steps by <see cref="Step.Argument"/> milliseconds (back or forward).</summary>
    Tick,
    /// <summary>The replica receives every change replica <see cref="Step.Argument"/> knows (a sync).</summary>
    ReceiveAllFrom,
    /// <summary>The replica receives one change it has not seen, picked by <see cref="Step.Argument"/> (out-of-order delivery).</summary>
    ReceiveOne,
    /// <summary>The replica writes <see cref="Step.Fields"/>.</summary>
    Write,
    /// <summary>The replica records an action.</summary>
    Act,
    /// <summary>The replica deletes the record.</summary>
    Delete,
}

/// <summary>One step of a simulated history: which replica does what.</summary>
public sealed record Step(StepKind Kind, int Replica, int Argument, FieldValue[] Fields)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        StepKind.Write => $"r{Replica + 1} Write {{{string.Join(", ", Fields.Select(f => $"{f.Name}={f.Value}"))}}}",
        StepKind.Tick => $"r{Replica + 1} Tick {Argument:+0;-0;0}ms",
        StepKind.ReceiveAllFrom => $"r{Replica + 1} ReceiveAllFrom r{Argument + 1}",
        _ => $"r{Replica + 1} {Kind} {Argument}",
    };
}

/// <summary>
/// A causally plausible history of one record: two or three replicas, each with a hybrid logical clock over
/// its own steppable wall clock (offset from the others), writing, acting, deleting, and receiving each
/// other's changes before authoring, so base vectors and stamps are what real replicas would produce.
/// <see cref="PermutationSeed"/> drives any shuffling a property does, so a scenario is one replayable value.
/// </summary>
public sealed record Scenario(int[] StartOffsetsMilliseconds, Step[] Steps, int PermutationSeed)
{
    /// <summary>How far ahead of its wall clock a simulated replica accepts a stamp: small, so refusals happen.</summary>
    public static readonly TimeSpan ClockSkewMax = TimeSpan.FromMilliseconds(400);

    /// <summary>Runs the history.</summary>
    public SimulationResult Run() => ReplicaSimulation.Run(this);

    /// <inheritdoc />
    public override string ToString() =>
        $"Scenario(offsets [{string.Join(", ", StartOffsetsMilliseconds)}], seed {PermutationSeed}, steps:\n  {ValueGenerators.Describe(Steps.Select(s => s.ToString()))})";
}

/// <summary>What a simulated history produced.</summary>
public sealed class SimulationResult
{
    /// <summary>Every change authored, in authoring order.</summary>
    public required IReadOnlyList<Change> Changes { get; init; }

    /// <summary>Each replica's own state at the end (built incrementally while authoring and receiving).</summary>
    public required IReadOnlyList<RecordState> ReplicaStates { get; init; }

    /// <summary>Each replica's log of the changes it knows (authored or received), in the order it learnt them.</summary>
    public required IReadOnlyList<IReadOnlyList<Change>> ReplicaLogs { get; init; }

    /// <summary>Each replica's clock at the end.</summary>
    public required IReadOnlyList<HybridLogicalClock> Clocks { get; init; }

    /// <summary>Each replica's wall clock at the end.</summary>
    public required IReadOnlyList<SteppableTimeProvider> WallClocks { get; init; }

    /// <summary>How many deliveries were refused because the stamp was beyond the skew bound (proves the path runs).</summary>
    public int RefusedDeliveries { get; init; }
}

/// <summary>Generates and runs <see cref="Scenario"/>s.</summary>
public static class ReplicaSimulation
{
    /// <summary>Scenarios of 0 to ~40 steps; many have no delete at all.</summary>
    public static Gen<Scenario> Scenarios { get; } =
        from replicaCount in Gen.Elements(2, 3)
        from offsets in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(-30, 30))), replicaCount)
        from deleteWeight in Gen.Elements(0, 0, 1, 2)
        from steps in Gen.Sized(size => Gen.Choose(0, Math.Min(40, 4 + size)).SelectMany(count => Gen.ArrayOf(StepGen(replicaCount, deleteWeight), count)))
        from seed in Gen.Choose(0, int.MaxValue)
        select new Scenario(offsets, steps, seed);

    /// <summary>Scenarios with at least one delete.</summary>
    public static Gen<Scenario> ScenariosWithDelete { get; } =
        from scenario in Scenarios
        from position in Gen.Choose(0, scenario.Steps.Length)
        from replica in Gen.Choose(0, scenario.StartOffsetsMilliseconds.Length - 1)
        select scenario with { Steps = [.. scenario.Steps[..position], new Step(StepKind.Delete, replica, 0, []), .. scenario.Steps[position..]] };

    /// <summary>The arbitrary of <see cref="Scenarios"/>, shrinking by dropping steps.</summary>
    public static Arbitrary<Scenario> Arbitrary { get; } = Scenarios.ToArbitrary(Shrink);

    /// <summary>The arbitrary of <see cref="ScenariosWithDelete"/>; shrinking keeps a delete.</summary>
    public static Arbitrary<Scenario> ArbitraryWithDelete { get; } =
        ScenariosWithDelete.ToArbitrary(s => Shrink(s).Where(x => x.Steps.Any(step => step.Kind == StepKind.Delete)));

    /// <summary>Smaller scenarios: one step fewer, or a simpler seed.</summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        for (var i = 0; i < scenario.Steps.Length; i++)
        {
            yield return scenario with { Steps = [.. scenario.Steps[..i], .. scenario.Steps[(i + 1)..]] };
        }

        if (scenario.PermutationSeed != 0)
        {
            yield return scenario with { PermutationSeed = 0 };
        }
    }

    private static Gen<Step> StepGen(int replicaCount, int deleteWeight) =>
        from replica in Gen.Choose(0, replicaCount - 1)
        from step in Gen.Frequency(
            (4, Gen.Frequency((6, Gen.Choose(-25, 25)), (1, Gen.Elements(-1000, 1000, 5000))).Select(delta => new Step(StepKind.Tick, replica, delta, []))),
            (3, Gen.Choose(0, replicaCount - 1).Select(source => new Step(StepKind.ReceiveAllFrom, replica, source, []))),
            (3, Gen.Choose(0, 1000).Select(pick => new Step(StepKind.ReceiveOne, replica, pick, []))),
            (8, ChangeGenerators.Fields(ValueGenerators.SmallValue).Select(fields => new Step(StepKind.Write, replica, 0, fields))),
            (1, Gen.Constant(new Step(StepKind.Act, replica, 0, []))),
            (deleteWeight, Gen.Constant(new Step(StepKind.Delete, replica, 0, []))))
        select step;

    /// <summary>Runs a scenario deterministically.</summary>
    public static SimulationResult Run(Scenario scenario)
    {
        var count = scenario.StartOffsetsMilliseconds.Length;
        var walls = scenario.StartOffsetsMilliseconds.Select(offset => new SteppableTimeProvider(Domain.StartMilliseconds + offset)).ToArray();
        var clocks = Enumerable.Range(0, count).Select(i => new HybridLogicalClock(Domain.Replicas[i], walls[i], 0, Scenario.ClockSkewMax)).ToArray();
        var states = Enumerable.Range(0, count).Select(_ => new RecordState(Domain.Collection, Domain.Record)).ToArray();
        var logs = Enumerable.Range(0, count).Select(_ => new List<Change>()).ToArray();
        var known = Enumerable.Range(0, count).Select(_ => new HashSet<ChangeId>()).ToArray();
        var sequences = new long[count];
        var authored = new List<Change>();
        var refused = 0;

        void Deliver(int replica, Change change)
        {
            if (known[replica].Contains(change.Id))
            {
                return;
            }

            // A stamp too far ahead of this replica's wall clock is refused, as a real replica would;
            // the change stays undelivered and may arrive later, when the wall clock has caught up.
            if (!clocks[replica].Observe(change.Stamp))
            {
                refused++;
                return;
            }

            states[replica].Apply(change);
            known[replica].Add(change.Id);
            logs[replica].Add(change);
        }

        void Author(int replica, Func<ChangeId, Stamp, VersionVector, Change> make)
        {
            var change = make(new ChangeId(Domain.Replicas[replica], ++sequences[replica]), clocks[replica].Next(), states[replica].Version);
            authored.Add(change);
            states[replica].Apply(change);
            known[replica].Add(change.Id);
            logs[replica].Add(change);
        }

        foreach (var step in scenario.Steps)
        {
            var r = step.Replica;
            switch (step.Kind)
            {
                case StepKind.Tick:
                    walls[r].Step(step.Argument);
                    break;
                case StepKind.ReceiveAllFrom:
                    foreach (var change in logs[step.Argument].ToArray())
                    {
                        Deliver(r, change);
                    }

                    break;
                case StepKind.ReceiveOne:
                    var unseen = authored.Where(c => !known[r].Contains(c.Id)).ToArray();
                    if (unseen.Length > 0)
                    {
                        Deliver(r, unseen[step.Argument % unseen.Length]);
                    }

                    break;
                case StepKind.Write:
                    Author(r, (id, stamp, version) => Change.Upsert(id, stamp, Domain.Collection, Domain.Record, version, step.Fields));
                    break;
                case StepKind.Act:
                    Author(r, (id, stamp, version) => Change.Action(id, stamp, Domain.Collection, Domain.Record, version, "close"));
                    break;
                case StepKind.Delete:
                    Author(r, (id, stamp, version) => Change.Delete(id, stamp, Domain.Collection, Domain.Record, version));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown step {step.Kind}.");
            }
        }

        return new SimulationResult
        {
            Changes = authored,
            ReplicaStates = states,
            ReplicaLogs = logs,
            Clocks = clocks,
            WallClocks = walls,
            RefusedDeliveries = refused,
        };
    }
}
