using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Peers.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Peers.Tests.Laws;

/// <summary>
/// The existence rule (docs/design/merge.md, "Existence"): a record that is not deleted exists once a change was merged,
/// unless it has fields and none holds a value. Hence a compensation that writes null to every field of a refused create
/// makes the record vanish on every copy, in any merge order, and a later create brings it back. Seeded.
/// </summary>
public sealed class RecordExistenceLaws
{
    private static readonly Config Seeded = Config.QuickThrowOnFailure.WithMaxTest(200).WithReplay(20261203UL, 5UL);

    private static readonly string[] Names = ["title", "priority", "assigned_to"];

    /// <summary>Upserts of origins 1..3 on one record: each writes 1-3 fields, a value or null.</summary>
    private static Gen<List<Change>> Upserts() =>
        (from origin in Gen.Choose(1, 3)
         from stamp in Gen.Choose(0, 20)
         from writes in (from field in Gen.Choose(0, 2) from value in Gen.Choose(0, 3) select (field, value)).ArrayOf()
         select (origin, stamp, writes)).ArrayOf().Select(items => items.Where(i => i.writes.Length > 0).Select((item, k) => Change.Upsert(
            new ChangeId(ReplicaId.FromPeerNumber((ulong)item.origin), k + 1),
            new Stamp(1_700_000_000_000L + item.stamp, 0, ReplicaId.FromPeerNumber((ulong)item.origin)),
            Changes.Incidents,
            new RecordId("r"),
            VersionVector.Empty,
            item.writes.DistinctBy(w => w.field).Select(w => new FieldValue(new FieldName(Names[w.field]), w.value == 0 ? Value.Null : Value.String("v" + w.value))))).ToList());

    [Fact]
    public void A_record_exists_exactly_when_something_was_merged_and_one_of_its_fields_holds_a_value_whatever_the_order() =>
        Prop.ForAll(
            (from changes in Upserts() from keys in Gen.Choose(0, 1000).ArrayOf(changes.Count) select (changes, keys)).ToArbitrary(),
            input =>
            {
                var (changes, keys) = input;
                var state = RecordState.FromChanges(Changes.Incidents, new RecordId("r"), changes.Zip(keys).OrderBy(p => p.Second).Select(p => p.First));
                var holdsValue = state.Fields.Values.Any(f => !f.Value.IsNull);
                Assert.Equal(changes.Count > 0 && (holdsValue || state.Fields.Count == 0), state.Exists);
            }).Check(Seeded);

    [Fact]
    public void A_compensation_nulling_every_field_a_create_wrote_makes_it_vanish_in_any_order_and_a_later_create_brings_it_back() =>
        Prop.ForAll(
            Upserts().Where(c => c.Count > 0).Select(c => c[0]).Where(c => c.Fields.Any(f => !f.Value.IsNull)).ToArbitrary(),
            create =>
            {
                var relay = ReplicaId.FromPeerNumber(99);
                var compensation = Change.Upsert(new ChangeId(relay, 1), new Stamp(create.Stamp.Time + 1, relay), create.Collection, create.RecordId,
                    VersionVector.Empty.With(create.Id), create.Fields.Select(f => new FieldValue(f.Name, Value.Null)));
                var retry = Change.Upsert(new ChangeId(create.Id.Origin, create.Id.Sequence + 1), new Stamp(compensation.Stamp.Time + 1, create.Id.Origin),
                    create.Collection, create.RecordId, VersionVector.Empty.With(create.Id).With(compensation.Id), create.Fields);

                Assert.False(RecordState.FromChanges(create.Collection, create.RecordId, [create, compensation]).Exists);
                Assert.False(RecordState.FromChanges(create.Collection, create.RecordId, [compensation, create]).Exists);
                var back = RecordState.FromChanges(create.Collection, create.RecordId, [compensation, retry, create]);
                Assert.True(back.Exists);
                Assert.Empty(back.Journal);
            }).Check(Seeded);
}
