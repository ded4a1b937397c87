using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Xunit;

namespace CrdtSync.Crdt.Tests.Examples;

/// <summary>How a record merges, told as small stories between replicas A and B.</summary>
public class MergeBehaviourExamples
{
    private static readonly ReplicaId A = Domain.Replicas[0];
    private static readonly ReplicaId B = Domain.Replicas[1];

    private static Change Write(ReplicaId by, long sequence, long milliseconds, VersionVector seen, string title) =>
        Change.Upsert(new ChangeId(by, sequence), new Stamp(Domain.StartMilliseconds + milliseconds, 0, by), Domain.Collection, Domain.Record, seen,
            [new FieldValue("title", Value.String(title))]);

    [Fact]
    public void Of_two_concurrent_writes_the_later_stamp_wins_and_the_other_is_kept_in_the_journal()
    {
        var fromA = Write(A, 1, 10, VersionVector.Empty, "from A");
        var fromB = Write(B, 1, 20, VersionVector.Empty, "from B");
        var state = StateBytes.Build([fromA, fromB]);

        Assert.Equal("from B", state["title"].AsString);
        var lost = Assert.Single(state.Journal);
        Assert.Equal(("title", "from A", fromA.Id), (lost.Field.Text, lost.Value.AsString, lost.Writer));
    }

    [Fact]
    public void Equal_clock_readings_are_broken_by_the_replica_id()
    {
        var fromA = Write(A, 1, 10, VersionVector.Empty, "from A");
        var fromB = Write(B, 1, 10, VersionVector.Empty, "from B");

        Assert.Equal("from B", StateBytes.Build([fromA, fromB])["title"].AsString);
        Assert.Equal("from B", StateBytes.Build([fromB, fromA])["title"].AsString);
    }

    [Fact]
    public void A_write_made_after_seeing_the_current_value_replaces_it_without_a_journal_entry()
    {
        var first = Write(A, 1, 10, VersionVector.Empty, "draft");
        var second = Write(B, 1, 20, VersionVector.From([new(A, 1)]), "final");
        var state = StateBytes.Build([second, first]);

        Assert.Equal("final", state["title"].AsString);
        Assert.Empty(state.Journal);
    }

    [Fact]
    public void A_replica_whose_wall_clock_is_behind_still_wins_with_a_write_made_after_seeing_the_other()
    {
        var wallOfA = new SteppableTimeProvider(Domain.StartMilliseconds + 60_000);
        var wallOfB = new SteppableTimeProvider(Domain.StartMilliseconds);
        var clockOfA = new HybridLogicalClock(A, wallOfA);
        var clockOfB = new HybridLogicalClock(B, wallOfB);
        var fromA = Change.Upsert(new ChangeId(A, 1), clockOfA.Next(), Domain.Collection, Domain.Record, VersionVector.Empty, [new FieldValue("title", Value.String("A, a minute ahead"))]);

        Assert.True(clockOfB.Observe(fromA.Stamp));
        var fromB = Change.Upsert(new ChangeId(B, 1), clockOfB.Next(), Domain.Collection, Domain.Record, VersionVector.From([new(A, 1)]), [new FieldValue("title", Value.String("B, after reading A"))]);

        Assert.Equal("B, after reading A", StateBytes.Build([fromB, fromA])["title"].AsString);
    }

    [Fact]
    public void A_delete_absorbs_edits_made_concurrently_and_afterwards_and_the_record_stays_deleted()
    {
        var created = Write(A, 1, 10, VersionVector.Empty, "task");
        var deleted = Change.Delete(new ChangeId(A, 2), new Stamp(Domain.StartMilliseconds + 20, 0, A), Domain.Collection, Domain.Record, VersionVector.From([new(A, 1)]));
        var editedLater = Write(B, 1, 99_000, VersionVector.From([new(A, 1)]), "edited offline");
        var state = StateBytes.Build([created, editedLater]);

        Assert.Equal(ApplyOutcome.Applied, state.Apply(deleted));
        Assert.Equal(ApplyOutcome.Absorbed, state.Apply(Write(B, 2, 100_000, state.Version, "again")));
        Assert.True(state.IsDeleted);
        Assert.Empty(state.Fields);
        Assert.Empty(state.Journal);
    }

    [Fact]
    public void Applying_the_same_change_twice_is_already_known()
    {
        var change = Write(A, 1, 10, VersionVector.Empty, "once");
        var state = new RecordState(Domain.Collection, Domain.Record);

        Assert.Equal(ApplyOutcome.Applied, state.Apply(change));
        Assert.Equal(ApplyOutcome.AlreadyKnown, state.Apply(change));
    }

    [Fact]
    public void An_action_is_recorded_in_the_version_but_writes_no_field()
    {
        var close = Change.Action(new ChangeId(A, 1), new Stamp(Domain.StartMilliseconds, 0, A), Domain.Collection, Domain.Record, VersionVector.Empty, "close",
            [new FieldValue("reason", Value.String("done"))]);
        var state = new RecordState(Domain.Collection, Domain.Record);

        Assert.Equal(ApplyOutcome.Recorded, state.Apply(close));
        Assert.True(state.Version.Includes(close.Id));
        Assert.Empty(state.Fields);
    }

    [Fact]
    public void A_clock_refuses_a_stamp_from_further_in_the_future_than_its_skew_bound()
    {
        var clock = new HybridLogicalClock(A, new SteppableTimeProvider(Domain.StartMilliseconds), 0, TimeSpan.FromMinutes(5));
        var farAhead = new Stamp(Domain.StartMilliseconds + (long)TimeSpan.FromMinutes(6).TotalMilliseconds, 0, B);

        Assert.False(clock.Observe(farAhead));
        Assert.Equal(0UL, clock.LastTime);
    }
}
