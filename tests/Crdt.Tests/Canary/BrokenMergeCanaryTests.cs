using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Laws;
using CrdtSync.Crdt.Tests.Support;
using Xunit;

namespace CrdtSync.Crdt.Tests.Canary;

/// <summary>
/// Proves the convergence harness can fail: the very properties the laws run are given deliberately broken
/// merges, and each must be reported as falsified, with a replay seed.
/// </summary>
public class BrokenMergeCanaryTests
{
    [Fact]
    public void Harness_Catches_AMergeWhereTheFirstAppliedWriteWinsOnEqualStampTimes()
    {
        var failure = PropertyRunner.TryCheck(ConvergenceHarness.PermutationsWithDuplicatesConverge(FirstAppliedWinsOnEqualTimes), replay: false);
        AssertFalsifiedWithReplay(failure);
    }

    [Fact]
    public void Harness_Catches_AMergeThatLetsALaterWriteResurrectADeletedRecord()
    {
        var failure = PropertyRunner.TryCheck(ConvergenceHarness.PermutationsWithDuplicatesConverge(IgnoresTombstoneForLaterWrites), replay: false);
        AssertFalsifiedWithReplay(failure);
    }

    [Fact]
    public void Harness_Catches_AStateMergeThatPrefersItsOwnFieldsOnEqualStampTimes()
    {
        var failure = PropertyRunner.TryCheck(ConvergenceHarness.MergeCommutes(StateBytes.Build, OursWinsOnEqualTimes), replay: false);
        AssertFalsifiedWithReplay(failure);
    }

    private static void AssertFalsifiedWithReplay(string? failure)
    {
        Assert.NotNull(failure);
        Assert.Contains("Falsifiable", failure, StringComparison.Ordinal);
        Assert.Contains(PropertyRunner.ReplayVariable + "=", failure, StringComparison.Ordinal);
    }

    /// <summary>Broken: a write whose stamp has the same time as the field's current one is dropped, whatever the replica tie-break says.</summary>
    private static RecordState FirstAppliedWinsOnEqualTimes(IEnumerable<Change> changes)
    {
        var state = new RecordState(Domain.Collection, Domain.Record);
        foreach (var change in changes)
        {
            if (change.Kind != ChangeKind.Upsert)
            {
                state.Apply(change);
                continue;
            }

            var kept = change.Fields.Where(f => !(state.Fields.TryGetValue(f.Name, out var current) && current.Stamp.Time == change.Stamp.Time && current.Writer != change.Id));
            state.Apply(Change.Upsert(change.Id, change.Stamp, change.Collection, change.RecordId, change.Base, kept));
        }

        return state;
    }

    /// <summary>Broken: an upsert newer than the tombstone starts the record afresh.</summary>
    private static RecordState IgnoresTombstoneForLaterWrites(IEnumerable<Change> changes)
    {
        var state = new RecordState(Domain.Collection, Domain.Record);
        foreach (var change in changes)
        {
            if (change.Kind == ChangeKind.Upsert && state.Tombstone is { } tombstone && change.Stamp > tombstone.Stamp)
            {
                state = new RecordState(Domain.Collection, Domain.Record);
            }

            state.Apply(change);
        }

        return state;
    }

    /// <summary>Broken: when both states hold writes of a field that tie on stamp time, the left state is kept as it is.</summary>
    private static RecordState OursWinsOnEqualTimes(RecordState ours, RecordState theirs)
    {
        var tie = ours.Fields.Any(f => theirs.Fields.TryGetValue(f.Key, out var other) && other.Stamp.Time == f.Value.Stamp.Time && other.Writer != f.Value.Writer);
        return tie ? ours.Clone() : StateBytes.Merge(ours, theirs);
    }
}
