using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>The state-based CRDT laws of <see cref="Records.RecordState.MergeFrom"/>.</summary>
public class MergeLaws
{
    [Fact]
    public void Merge_IsCommutative() =>
        PropertyRunner.Check(ConvergenceHarness.MergeCommutes(StateBytes.Build, StateBytes.Merge));

    [Fact]
    public void Merge_IsAssociative() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var random = new Random(@case.Seed);
            var a = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var b = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var c = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var left = StateBytes.Merge(StateBytes.Merge(a, b), c);
            var right = StateBytes.Merge(a, StateBytes.Merge(b, c));
            Expect.SameBytes(StateBytes.Of(left), StateBytes.Of(right), () =>
                $"a = {StateBytes.Describe(a)}\nb = {StateBytes.Describe(b)}\nc = {StateBytes.Describe(c)}\n(a+b)+c = {StateBytes.Describe(left)}\na+(b+c) = {StateBytes.Describe(right)}");
        }));

    [Fact]
    public void Merge_IsIdempotent() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var random = new Random(@case.Seed);
            var a = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var b = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var aa = a.Clone();
            Expect.That(!aa.MergeFrom(a), () => $"merging a state into itself reported a change: {StateBytes.Describe(a)}");
            Expect.SameBytes(StateBytes.Of(a), StateBytes.Of(aa), () => $"a+a differs from a = {StateBytes.Describe(a)}");
            var ab = StateBytes.Merge(a, b);
            var abb = ab.Clone();
            Expect.That(!abb.MergeFrom(b), () => $"merging b again reported a change: a = {StateBytes.Describe(a)}\nb = {StateBytes.Describe(b)}");
            Expect.SameBytes(StateBytes.Of(ab), StateBytes.Of(abb), () => $"(a+b)+b differs from a+b:\na = {StateBytes.Describe(a)}\nb = {StateBytes.Describe(b)}");
        }));

    [Fact]
    public void Merge_ReportsAChange_ExactlyWhenTheStateChanges() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var random = new Random(@case.Seed);
            var a = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var b = StateBytes.Build(StateBytes.Subset(@case.Changes, random));
            var before = StateBytes.Of(a);
            var merged = a.Clone();
            var reported = merged.MergeFrom(b);
            var changed = !before.AsSpan().SequenceEqual(StateBytes.Of(merged));
            Expect.That(reported == changed, () =>
                $"MergeFrom returned {reported} but the state {(changed ? "changed" : "did not change")}:\na = {StateBytes.Describe(a)}\nb = {StateBytes.Describe(b)}\na+b = {StateBytes.Describe(merged)}");
        }));

    [Fact]
    public void Merge_OfSubsetStates_EqualsTheStateOfTheUnion() =>
        PropertyRunner.Check(Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var random = new Random(@case.Seed);
            var first = StateBytes.Subset(@case.Changes, random);
            var second = StateBytes.Subset(@case.Changes, random);
            var merged = StateBytes.Merge(StateBytes.Build(first), StateBytes.Build(second));
            var union = StateBytes.Build(first.Concat(second));
            Expect.SameBytes(StateBytes.Of(union), StateBytes.Of(merged), () =>
                $"first {ChangeGenerators.Describe(first)}\nsecond {ChangeGenerators.Describe(second)}\nunion state {StateBytes.Describe(union)}\nmerged states {StateBytes.Describe(merged)}");
        }));

    [Fact]
    public void Merge_OfEveryReplicasOwnState_EqualsTheStateOfEveryChange() =>
        PropertyRunner.Check(Prop.ForAll(ReplicaSimulation.Arbitrary, scenario =>
        {
            var result = scenario.Run();
            var merged = result.ReplicaStates.Aggregate(StateBytes.Merge);
            var everything = StateBytes.Build(result.Changes);
            Expect.SameBytes(StateBytes.Of(everything), StateBytes.Of(merged), () =>
                $"replica states:\n  {string.Join("\n  ", result.ReplicaStates.Select(StateBytes.Describe))}\nmerged {StateBytes.Describe(merged)}\nexpected {StateBytes.Describe(everything)}");
        }));
}
