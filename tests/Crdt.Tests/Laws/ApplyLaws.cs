using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>The laws of <see cref="RecordState.Apply"/>: the state is a function of the set of changes.</summary>
public class ApplyLaws
{
    [Fact]
    public void Apply_AnyPermutationWithDuplicates_GivesByteEqualState() =>
        PropertyRunner.Check(ConvergenceHarness.PermutationsWithDuplicatesConverge(StateBytes.Build));

    [Fact]
    public void Apply_EqualsMergeOfSingletonStates() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var applied = StateBytes.Build(@case.Changes);
            var merged = new RecordState(Domain.Collection, Domain.Record);
            foreach (var change in StateBytes.ShuffledWithDuplicates(@case.Changes, @case.Seed))
            {
                merged.MergeFrom(StateBytes.Build([change]));
            }

            Expect.SameBytes(StateBytes.Of(applied), StateBytes.Of(merged), () =>
                $"applied {StateBytes.Describe(applied)}\nmerged singletons {StateBytes.Describe(merged)}");
        }));

    [Fact]
    public void Apply_MatchesTheReferenceModelOfTheChangeSet() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var delivered = StateBytes.ShuffledWithDuplicates(@case.Changes, @case.Seed);
            var applied = StateBytes.Build(delivered);
            var model = ReferenceModel.StateOf(Domain.Collection, Domain.Record, @case.Changes);
            Expect.SameBytes(StateBytes.Of(model), StateBytes.Of(applied), () =>
                $"model   {StateBytes.Describe(model)}\napplied {StateBytes.Describe(applied)}");
        }));

    [Fact]
    public void Apply_OfAChangeAlreadyApplied_IsAlreadyKnown_AndChangesNothing() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var state = StateBytes.Build(@case.Changes);
            var before = StateBytes.Of(state);
            foreach (var change in @case.Changes)
            {
                var outcome = state.Apply(change);
                Expect.That(outcome == ApplyOutcome.AlreadyKnown, () => $"re-applying {ChangeGenerators.DescribeChange(change)} gave {outcome}");
                Expect.SameBytes(before, StateBytes.Of(state), () => $"re-applying {ChangeGenerators.DescribeChange(change)} changed the state");
            }
        }));
}
