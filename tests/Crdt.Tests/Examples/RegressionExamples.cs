using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Xunit;

namespace CrdtSync.Crdt.Tests.Examples;

/// <summary>Counterexamples the properties found, kept as named tests (each one was a bug, now fixed).</summary>
public class RegressionExamples
{
    private static readonly ReplicaId A = Domain.Replicas[0];
    private static readonly ReplicaId B = Domain.Replicas[1];

    [Fact]
    public void Merging_a_state_whose_only_news_is_a_conflict_already_overwritten_reports_no_change()
    {
        // Found by Merge_IsIdempotent and Merge_ReportsAChange_ExactlyWhenTheStateChanges: MergeFrom added the
        // other state's journal entry, pruned it again (our field had seen it) and returned true.
        var a1 = Change.Upsert(new ChangeId(A, 1), new Stamp(Domain.StartMilliseconds + 10, 0, A), Domain.Collection, Domain.Record, VersionVector.Empty, [new FieldValue("title", Value.String("a1"))]);
        var b1 = Change.Upsert(new ChangeId(B, 1), new Stamp(Domain.StartMilliseconds + 5, 0, B), Domain.Collection, Domain.Record, VersionVector.Empty, [new FieldValue("title", Value.String("b1"))]);
        var a2 = Change.Upsert(new ChangeId(A, 2), new Stamp(Domain.StartMilliseconds + 20, 0, A), Domain.Collection, Domain.Record,
            VersionVector.From([new(A, 1), new(B, 1)]), [new FieldValue("title", Value.String("a2"))]);
        var ours = StateBytes.Build([a1, b1, a2]);
        var theirs = StateBytes.Build([a1, b1]);
        Assert.Single(theirs.Journal);
        var before = StateBytes.Of(ours);

        Assert.False(ours.MergeFrom(theirs));
        Assert.Equal(before, StateBytes.Of(ours));
        Assert.Empty(ours.Journal);
    }

    [Fact]
    public void A_timestamp_beyond_what_DateTimeOffset_can_hold_still_has_a_text_form()
    {
        // Found by Value_ToString_IsTotal: ToString threw ArgumentOutOfRangeException, which also broke the
        // printing of counterexamples that held such a value.
        Assert.Equal("9223372036854775807 ms since the Unix epoch", Value.TimestampMilliseconds(long.MaxValue).ToString());
        Assert.Equal("1970-01-01T00:00:00.0000000+00:00", Value.TimestampMilliseconds(0).ToString());
    }
}
