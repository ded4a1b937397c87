using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Versions;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>Delete wins and nothing resurrects; a causally later write wins; replicas converge.</summary>
public class DeleteAndCausalityLaws
{
    [Fact]
    public void Delete_WinsOverConcurrentEdits_AndNothingResurrects() =>
        PropertyRunner.Check(Prop.ForAll(ReplicaSimulation.ArbitraryWithDelete, scenario =>
        {
            var result = scenario.Run();
            var changes = result.Changes;
            var greatestDelete = changes.Where(c => c.Kind == ChangeKind.Delete).Select(c => new Tombstone(c.Stamp, c.Id)).Max();
            var state = StateBytes.Build(StateBytes.ShuffledWithDuplicates(changes, scenario.PermutationSeed));
            Expect.That(state.IsDeleted && state.Tombstone == greatestDelete && state.Fields.Count == 0 && state.Journal.Count == 0 && !state.Exists,
                () => $"not absorbed by delete {greatestDelete}: {StateBytes.Describe(state)}");

            // Later writes from every replica, after seeing everything and with clocks far ahead, are absorbed too.
            var later = Domain.Replicas.Take(scenario.StartOffsetsMilliseconds.Length).Select((replica, i) =>
                Change.Upsert(new ChangeId(replica, 1000), new Stamp(Domain.StartMilliseconds + 3_600_000, i, replica), Domain.Collection, Domain.Record, state.Version,
                    [new FieldValue(Domain.Fields[i], Values.Value.String("resurrect?"))])).ToList();
            foreach (var change in later)
            {
                var outcome = state.Apply(change);
                Expect.That(outcome == ApplyOutcome.Absorbed, () => $"a later write gave {outcome}, not Absorbed");
            }

            Expect.That(state.IsDeleted && state.Fields.Count == 0, () => $"resurrected: {StateBytes.Describe(state)}");

            // Merging with any live state of the record keeps it deleted.
            var live = StateBytes.Build(changes.Where(c => c.Kind != ChangeKind.Delete).Concat(later));
            Expect.That(!live.IsDeleted, () => "the live state is deleted");
            var merged = StateBytes.Merge(live, state);
            Expect.That(merged.IsDeleted && merged.Fields.Count == 0 && merged.Journal.Count == 0, () => $"live+deleted resurrected: {StateBytes.Describe(merged)}");

            // Every replica that learnt of a delete is deleted.
            for (var i = 0; i < result.ReplicaStates.Count; i++)
            {
                var knowsDelete = result.ReplicaLogs[i].Any(c => c.Kind == ChangeKind.Delete);
                var replicaState = result.ReplicaStates[i];
                Expect.That(knowsDelete == replicaState.IsDeleted && (!knowsDelete || replicaState.Fields.Count == 0),
                    () => $"replica {i + 1} knows a delete: {knowsDelete}, state {StateBytes.Describe(replicaState)}");
            }
        }));

    [Fact]
    public void CausallyLaterWrite_AlwaysWins_WhateverTheWallClocks() =>
        PropertyRunner.Check(Prop.ForAll(ReplicaSimulation.Arbitrary, scenario =>
        {
            var result = scenario.Run();
            var upserts = result.Changes.Where(c => c.Kind == ChangeKind.Upsert).ToList();
            foreach (var earlier in upserts)
            {
                foreach (var later in upserts.Where(l => l.Base.Includes(earlier.Id)))
                {
                    Expect.That(later.Stamp > earlier.Stamp, () =>
                        $"{ChangeGenerators.DescribeChange(later)} saw {ChangeGenerators.DescribeChange(earlier)} but has a smaller stamp");
                }
            }

            // In every replica's state and in the state of everything: no field is held, or journaled, by a
            // write that another write of the same field had seen.
            var views = result.ReplicaStates.Zip(result.ReplicaLogs, (state, log) => (State: state, Known: log.Select(c => c.Id).ToHashSet()))
                .Append((State: StateBytes.Build(result.Changes), Known: result.Changes.Select(c => c.Id).ToHashSet()));
            foreach (var (state, known) in views)
            {
                foreach (var (field, entry) in state.Fields)
                {
                    var overwriter = upserts.FirstOrDefault(c => c.TryGetField(field, out _) && c.Base.Includes(entry.Writer) && known.Contains(c.Id));
                    Expect.That(overwriter is null, () =>
                        $"field {field} is held by #{entry.Writer} though {ChangeGenerators.DescribeChange(overwriter!)} overwrote it: {StateBytes.Describe(state)}");
                }

                foreach (var lost in state.Journal)
                {
                    Expect.That(!upserts.Any(c => c.TryGetField(lost.Field, out _) && c.Base.Includes(lost.Writer) && known.Contains(c.Id)),
                        () => $"journal holds #{lost.Writer} on {lost.Field}, which a later write had seen: {StateBytes.Describe(state)}");
                }
            }
        }));

    [Fact]
    public void Replicas_Converge_AfterExchangingEverything() =>
        PropertyRunner.Check(Prop.ForAll(ReplicaSimulation.Arbitrary, scenario =>
        {
            var replicas = Enumerable.Range(0, scenario.StartOffsetsMilliseconds.Length).ToArray();
            Step[] exchange =
            [
                // Wall clocks move far ahead so no delivery is refused, then two full rounds of syncs.
                .. replicas.Select(r => new Step(StepKind.Tick, r, 10_000_000, [])),
                .. from round in Enumerable.Range(0, 2) from r in replicas from other in replicas select new Step(StepKind.ReceiveAllFrom, r, other, []),
            ];
            var result = (scenario with { Steps = [.. scenario.Steps, .. exchange] }).Run();
            var expected = ReferenceModel.StateOf(Domain.Collection, Domain.Record, result.Changes);
            for (var i = 0; i < result.ReplicaStates.Count; i++)
            {
                var state = result.ReplicaStates[i];
                Expect.SameBytes(StateBytes.Of(expected), StateBytes.Of(state), () =>
                    $"replica {i + 1} after the exchange: {StateBytes.Describe(state)}\nexpected {StateBytes.Describe(expected)}");
            }
        }));
}
