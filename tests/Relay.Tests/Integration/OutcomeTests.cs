using Microsoft.Extensions.DependencyInjection;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class OutcomeTests(TestRelay relay)
{
    [Fact]
    public async Task A_valid_create_is_accepted_with_its_log_sequence_and_the_committed_change()
    {
        var alice = await relay.DeviceAsync("alice", "agent");
        var create = alice.Create("incidents", "o-accepted", F("title", "Pump down"));

        var outcome = await alice.PushAsync(create);

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.True(outcome.LogSequence > 0);
        Assert.Equal(ChangeCodec.Encode(create), outcome.Committed.Single().ToByteArray());
        Assert.False(outcome.HasCurrentState);
    }

    [Fact]
    public async Task An_accepted_action_commits_its_effects_as_the_relays_own_change_right_after_it()
    {
        var alice = await relay.DeviceAsync("alice-2", "agent");
        var create = alice.Create("incidents", "o-close", F("title", "Leak"), F("status", "open"));
        await alice.PushAsync(create);

        var outcome = await alice.PushAsync(alice.Action("incidents", "o-close", Seen(create), "close"));

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(2, outcome.Committed.Count);
        var effect = ChangeCodec.Decode(outcome.Committed[1].ToByteArray());
        var info = await relay.LogInfoAsync();
        Assert.Equal(ReplicaId.FromBytes(info.RelayReplicaId.Span), effect.Id.Origin);
        Assert.True(effect.TryGetField("status", out var status) && status == Value.String("closed"));
        Assert.True(effect.TryGetField("closed_by", out var by) && by == Value.String("alice-2"));
        Assert.True(effect.Base.Includes(create.Id));
        var pulled = await alice.PullAllAsync(outcome.LogSequence - 1, "incidents");
        Assert.Equal(outcome.LogSequence + 1, pulled.SelectMany(p => p.Entries).First(e => e.Change.Equals(outcome.Committed[1])).Sequence);
    }

    [Fact]
    public async Task An_action_whose_guard_no_longer_holds_is_a_conflict_with_the_current_state()
    {
        var alice = await relay.DeviceAsync("alice-3", "agent");
        var create = alice.Create("incidents", "o-conflict", F("title", "Fire"), F("status", "open"));
        await alice.PushAsync(create);
        await alice.PushAsync(alice.Action("incidents", "o-conflict", Seen(create), "close"));

        var again = await alice.PushAsync(alice.Action("incidents", "o-conflict", Seen(create), "close"));

        Assert.Equal(OutcomeKind.Conflict, again.Kind);
        Assert.Equal("guard_failed", again.Reason);
        Assert.Equal("status", again.Field);
        Assert.True(again.HasCurrentState);
        var state = RecordStateCodec.Decode(again.CurrentState.ToByteArray());
        Assert.Equal(Value.String("closed"), state[new FieldName("status")]);
    }

    [Fact]
    public async Task A_change_breaking_a_schema_rule_is_invalid()
    {
        var alice = await relay.DeviceAsync("alice-4", "agent");

        var outcome = await alice.PushAsync(alice.Create("incidents", "o-invalid", F("priority", 3)));

        Assert.Equal(OutcomeKind.Invalid, outcome.Kind);
        Assert.Equal("required", outcome.Reason);
        Assert.Equal(0, outcome.LogSequence);
    }

    [Fact]
    public async Task An_edit_of_a_deleted_record_is_deleted()
    {
        var lead = await relay.DeviceAsync("lena", "lead");
        var create = lead.Create("incidents", "o-deleted", F("title", "Old"));
        await lead.PushAsync(create);
        Assert.Equal(OutcomeKind.Accepted, (await lead.PushAsync(lead.Delete("incidents", "o-deleted", Seen(create)))).Kind);

        var outcome = await lead.PushAsync(lead.Upsert("incidents", "o-deleted", Seen(create), F("title", "New")));

        Assert.Equal(OutcomeKind.Deleted, outcome.Kind);
        Assert.True(RecordStateCodec.Decode(outcome.CurrentState.ToByteArray()).IsDeleted);
    }

    [Fact]
    public async Task A_change_the_author_has_no_right_to_make_is_forbidden()
    {
        var viewer = await relay.DeviceAsync("victor", "viewer");

        var outcome = await viewer.PushAsync(viewer.Create("incidents", "o-forbidden", F("title", "Nope")));

        Assert.Equal(OutcomeKind.Forbidden, outcome.Kind);
        Assert.Equal("forbidden", outcome.Reason);
    }

    [Fact]
    public async Task A_change_stamped_too_far_ahead_of_the_relay_clock_is_refused_for_clock_skew()
    {
        var alice = await relay.DeviceAsync("alice-5", "agent");
        var ahead = new Stamp(relay.Time.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds(), 0, alice.Id);

        var outcome = await alice.PushAsync(alice.Stamped(ahead, "incidents", "o-skew", F("title", "Future")));

        Assert.Equal(OutcomeKind.ClockSkew, outcome.Kind);
        Assert.Equal("clock_skew", outcome.Reason);
    }

    [Fact]
    public async Task A_refused_record_state_is_not_sent_to_a_caller_who_may_not_read_it()
    {
        var lead = await relay.DeviceAsync("lara", "lead");
        var contractor = await relay.DeviceAsync("carl", "contractor");
        var task = lead.Create("tasks", "o-hidden", F("title", "Secret"), F("assigned_to", "someone-else"));
        await lead.PushAsync(task);

        var outcome = await contractor.PushAsync(contractor.Upsert("tasks", "o-hidden", Seen(task), F("title", "Mine now")));

        Assert.Equal(OutcomeKind.Forbidden, outcome.Kind);
        Assert.False(outcome.HasCurrentState);
        Assert.True(outcome.CurrentState.IsEmpty);
    }

    [Fact]
    public async Task A_re_push_returns_the_first_outcome_and_adds_no_log_entry()
    {
        var alice = await relay.DeviceAsync("alice-6", "agent");
        var create = alice.Create("incidents", "o-repush", F("title", "Once"));
        var first = await alice.PushAsync(create);
        var before = await relay.LogInfoAsync();

        var second = await alice.PushAsync(create);
        var third = (await alice.PushAsync([create, create]))[1];

        var after = await relay.LogInfoAsync();
        Assert.Equal(before.LogLength, after.LogLength);
        Assert.Equal(before.OutcomeCount, after.OutcomeCount);
        foreach (var repeated in new[] { second, third })
        {
            Assert.True(repeated.RepeatedPush);
            Assert.Equal(first.Kind, repeated.Kind);
            Assert.Equal(first.LogSequence, repeated.LogSequence);
            Assert.Equal(first.Committed, repeated.Committed);
        }
    }

    [Fact]
    public async Task A_batch_mixing_known_new_and_repeated_changes_on_shared_records_logs_each_new_change_once_in_push_order()
    {
        var alice = await relay.DeviceAsync("alice-6b", "agent");
        var known = alice.Create("incidents", "o-mix-0", F("title", "Known"));
        var first = await alice.PushAsync(known);
        var fresh = Enumerable.Range(0, 40).Select(i => alice.Create("incidents", $"o-mix-{i % 7}", F("title", $"Edit {i}"))).ToList();
        var before = await relay.LogInfoAsync();

        var outcomes = await alice.PushAsync([known, .. fresh, fresh[3]]);

        var after = await relay.LogInfoAsync();
        Assert.Equal(42, outcomes.Count);
        Assert.True(outcomes[0].RepeatedPush);
        Assert.Equal(first.LogSequence, outcomes[0].LogSequence);
        Assert.All(outcomes.Skip(1).Take(40), o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => before.LogHead + 1 + i), outcomes.Skip(1).Take(40).Select(o => o.LogSequence));
        Assert.True(outcomes[41].RepeatedPush);
        Assert.Equal(outcomes[4].LogSequence, outcomes[41].LogSequence);
        Assert.Equal(outcomes[4].Committed, outcomes[41].Committed);
        Assert.Equal(before.LogLength + 40, after.LogLength);
        Assert.Equal(before.OutcomeCount + 40, after.OutcomeCount);
        var record = await relay.Host.Services.GetRequiredService<Storage.IRelayStore>().GetRecordAsync(new("incidents"), new("o-mix-5"), CancellationToken.None);
        Assert.Equal("Edit 33", record!.State[new("title")].AsString);
    }

    [Fact]
    public async Task A_re_push_of_a_refused_change_is_refused_the_same_way_even_when_it_would_pass_now()
    {
        var alice = await relay.DeviceAsync("alice-7", "agent");
        var ahead = new Stamp(relay.Time.GetUtcNow().AddMinutes(6).ToUnixTimeMilliseconds(), 0, alice.Id);
        var change = alice.Stamped(ahead, "incidents", "o-repush-refused", F("title", "Later"));
        Assert.Equal(OutcomeKind.ClockSkew, (await alice.PushAsync(change)).Kind);

        var again = await alice.PushAsync(change);

        Assert.Equal(OutcomeKind.ClockSkew, again.Kind);
        Assert.True(again.RepeatedPush);
    }

    [Fact]
    public async Task Concurrent_writes_to_a_manual_field_are_a_conflict_and_lww_losers_land_in_the_journal()
    {
        var alice = await relay.DeviceAsync("alice-8", "agent");
        var bob = await relay.DeviceAsync("bob-8", "agent");
        var create = alice.Create("incidents", "o-manual", F("title", "Shared"));
        await alice.PushAsync(create);
        var bobTitle = bob.Upsert("incidents", "o-manual", Seen(create), F("title", "Bob's"), F("resolution", "bob"));
        var aliceTitle = alice.Upsert("incidents", "o-manual", Seen(create), F("title", "Alice's"));
        await alice.PushAsync(aliceTitle);
        Assert.Equal(OutcomeKind.Accepted, (await bob.PushAsync(bobTitle)).Kind);

        var manual = await alice.PushAsync(alice.Upsert("incidents", "o-manual", Seen(create), F("resolution", "alice")));
        var record = await relay.Admin.GetRecordAsync(new GetRecordRequest { Collection = "incidents", RecordId = "o-manual" });

        Assert.Equal(OutcomeKind.Conflict, manual.Kind);
        Assert.Equal("manual_field_changed", manual.Reason);
        Assert.Contains(record.Journal, line => line.Field == "title");
    }
}

public sealed class OutcomeTestsOnSqlite(SqliteRelay relay) : OutcomeTests(relay), IClassFixture<SqliteRelay>;

public sealed class OutcomeTestsOnPostgres(PostgresRelay relay) : OutcomeTests(relay), IClassFixture<PostgresRelay>;
