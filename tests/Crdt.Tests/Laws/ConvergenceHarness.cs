using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>
/// The convergence properties, parameterised by the merge under test, so that the laws and the canary
/// (which plugs in a deliberately broken merge) run exactly the same harness.
/// </summary>
public static class ConvergenceHarness
{
    /// <summary>
    /// Applying the change set in a seeded random order with duplicates gives the byte-equal state as
    /// applying it in authoring order.
    /// </summary>
    public static Property PermutationsWithDuplicatesConverge(Func<IEnumerable<Change>, RecordState> applyAll) =>
        Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var inOrder = applyAll(@case.Changes);
            var delivered = StateBytes.ShuffledWithDuplicates(@case.Changes, @case.Seed);
            var shuffled = applyAll(delivered);
            Expect.SameBytes(StateBytes.Of(inOrder), StateBytes.Of(shuffled), () =>
                $"in authoring order: {StateBytes.Describe(inOrder)}\ndelivered as {ChangeGenerators.Describe(delivered)}:\n  {StateBytes.Describe(shuffled)}");
        });

    /// <summary>Merging two states of the same record gives byte-equal results both ways round.</summary>
    public static Property MergeCommutes(Func<IEnumerable<Change>, RecordState> applyAll, Func<RecordState, RecordState, RecordState> merge) =>
        Prop.ForAll(ChangeSetCase.Arbitrary, @case =>
        {
            var random = new Random(@case.Seed);
            var a = applyAll(StateBytes.Subset(@case.Changes, random));
            var b = applyAll(StateBytes.Subset(@case.Changes, random));
            var ab = merge(a, b);
            var ba = merge(b, a);
            Expect.SameBytes(StateBytes.Of(ab), StateBytes.Of(ba), () =>
                $"a = {StateBytes.Describe(a)}\nb = {StateBytes.Describe(b)}\na+b = {StateBytes.Describe(ab)}\nb+a = {StateBytes.Describe(ba)}");
        });
}
