using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Xunit;

namespace CrdtSync.Crdt.Tests.Schema;

public class ChangeRulesExamples
{
    private static readonly SyncConfiguration Configuration =
        SyncConfigurationJson.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json")));

    private static readonly ReplicaId Alice = ReplicaId.FromPeerNumber(1);
    private static readonly ReplicaId Bob = ReplicaId.FromPeerNumber(2);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private static readonly Principal Agent = new("alice", new HashSet<string> { "agent" });
    private static readonly Principal Lead = new("bob", new HashSet<string> { "lead" });

    private static Change Create(ReplicaId who, long sequence, string id, params FieldValue[] fields) =>
        Change.Upsert(new ChangeId(who, sequence), new Stamp(Now.ToUnixTimeMilliseconds(), (int)sequence, who), "incidents", id, VersionVector.Empty, fields);

    private static RecordState OpenIncident()
    {
        var state = new RecordState("incidents", "i1");
        state.Apply(Create(Bob, 1, "i1", new FieldValue("title", Value.String("Pump down")), new FieldValue("status", Value.String("open"))));
        return state;
    }

    [Fact]
    public void The_shipped_example_configuration_parses()
    {
        Assert.Equal(2, Configuration.Collections.Count);
        Assert.False(Configuration.Collections[new CollectionName("incidents")].Actions[new ActionName("reopen")].AllowedOffline);
    }

    [Fact]
    public void A_typo_in_the_configuration_names_its_path()
    {
        var error = Assert.Throws<ConfigurationException>(() => SyncConfigurationJson.Parse("""{"collections":{"a":{"fields":{"x":{"tpye":"string"}}}}}"""));
        Assert.Equal("$.collections.a.fields.x.tpye", error.Path);
    }

    [Fact]
    public void A_create_without_a_required_field_is_invalid()
    {
        var decision = ChangeRules.Decide(Configuration, Agent, new RecordState("incidents", "i2"), Create(Alice, 1, "i2", new FieldValue("priority", Value.Int64(2))), Now);
        Assert.Equal(OutcomeKind.Invalid, decision.Outcome);
        Assert.Contains("title", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_edit_of_a_guarded_field_is_invalid()
    {
        var state = OpenIncident();
        var edit = Change.Upsert(new ChangeId(Alice, 1), new Stamp(Now.ToUnixTimeMilliseconds(), 5, Alice), "incidents", "i1", state.Version, [new("status", Value.String("closed"))]);
        Assert.Equal(OutcomeKind.Invalid, ChangeRules.Decide(Configuration, Agent, state, edit, Now).Outcome);
    }

    [Fact]
    public void Closing_an_already_closed_incident_is_a_conflict_and_closing_an_open_one_sets_its_effects()
    {
        var state = OpenIncident();
        var close = Change.Action(new ChangeId(Alice, 1), new Stamp(Now.ToUnixTimeMilliseconds(), 9, Alice), "incidents", "i1", state.Version, "close");
        var accepted = ChangeRules.Decide(Configuration, Agent, state, close, Now);
        Assert.True(accepted.IsAccepted);
        Assert.Contains(accepted.Effects, e => e.Name == new FieldName("closed_by") && e.Value == Value.String("alice"));

        var relay = ReplicaId.FromPeerNumber(99);
        state.Apply(Change.Upsert(new ChangeId(relay, 1), new Stamp(Now.ToUnixTimeMilliseconds(), 10, relay), "incidents", "i1", state.Version, accepted.Effects));
        var again = Change.Action(new ChangeId(Bob, 2), new Stamp(Now.ToUnixTimeMilliseconds(), 11, Bob), "incidents", "i1", VersionVector.Empty.With(new ChangeId(Bob, 1)), "close");
        var conflict = ChangeRules.Decide(Configuration, Lead, state, again, Now);
        Assert.Equal(OutcomeKind.Conflict, conflict.Outcome);
        Assert.Equal(new FieldName("status"), conflict.Field);
    }

    [Fact]
    public void An_action_the_role_lacks_is_forbidden_and_a_deleted_record_answers_deleted()
    {
        var state = OpenIncident();
        var reopen = Change.Action(new ChangeId(Alice, 1), new Stamp(Now.ToUnixTimeMilliseconds(), 9, Alice), "incidents", "i1", state.Version, "reopen");
        Assert.Equal(OutcomeKind.Forbidden, ChangeRules.Decide(Configuration, Agent, state, reopen, Now).Outcome);

        state.Apply(Change.Delete(new ChangeId(Bob, 2), new Stamp(Now.ToUnixTimeMilliseconds(), 12, Bob), "incidents", "i1", state.Version));
        var edit = Change.Upsert(new ChangeId(Alice, 2), new Stamp(Now.ToUnixTimeMilliseconds(), 13, Alice), "incidents", "i1", VersionVector.Empty, [new("title", Value.String("x"))]);
        Assert.Equal(OutcomeKind.Deleted, ChangeRules.Decide(Configuration, Agent, state, edit, Now).Outcome);
    }

    [Fact]
    public void A_guarded_field_nobody_wrote_holds_its_initial_value_for_guards()
    {
        var state = new RecordState("incidents", "i4");
        state.Apply(Create(Bob, 1, "i4", new FieldValue("title", Value.String("No status written"))));
        var close = Change.Action(new ChangeId(Alice, 1), new Stamp(Now.ToUnixTimeMilliseconds(), 9, Alice), "incidents", "i4", state.Version, "close");
        Assert.True(ChangeRules.Decide(Configuration, Agent, state, close, Now).IsAccepted);
    }

    [Fact]
    public void A_stamp_too_far_ahead_is_clock_skew()
    {
        var ahead = Now.AddMinutes(10).ToUnixTimeMilliseconds();
        var create = Change.Upsert(new ChangeId(Alice, 1), new Stamp(ahead, 0, Alice), "incidents", "i3", VersionVector.Empty, [new("title", Value.String("t"))]);
        Assert.Equal(OutcomeKind.ClockSkew, ChangeRules.Decide(Configuration, Agent, new RecordState("incidents", "i3"), create, Now).Outcome);
    }

    [Fact]
    public void Online_only_actions_are_not_available_offline()
    {
        var state = OpenIncident();
        Assert.Equal([new ActionName("close")], ChangeRules.AvailableActions(Configuration, Lead, state, offline: true));
    }
}
