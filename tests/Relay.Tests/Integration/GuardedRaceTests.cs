using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class GuardedRaceTests(TestRelay relay)
{
    [Fact]
    public async Task Two_devices_racing_to_close_the_same_incident_get_exactly_one_acceptance_in_each_of_100_rounds()
    {
        var lead = await relay.DeviceAsync("race-lead", "lead");
        var alice = await relay.DeviceAsync("race-alice", "agent");
        var bob = await relay.DeviceAsync("race-bob", "agent");
        for (var round = 0; round < 100; round++)
        {
            var id = $"race-{round}";
            var create = lead.Create("incidents", id, F("title", $"Round {round}"), F("status", "open"));
            await lead.PushAsync(create);
            var aliceClose = alice.Action("incidents", id, Seen(create), "close");
            var bobClose = bob.Action("incidents", id, Seen(create), "close");

            var outcomes = await Task.WhenAll(Task.Run(() => alice.PushAsync(aliceClose)), Task.Run(() => bob.PushAsync(bobClose)));

            Assert.Equal(1, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
            Assert.Equal(1, outcomes.Count(o => o.Kind == OutcomeKind.Conflict && o.Reason == "guard_failed"));
        }
    }
}

public sealed class GuardedRaceTestsOnSqlite(SqliteRelay relay) : GuardedRaceTests(relay), IClassFixture<SqliteRelay>;

public sealed class GuardedRaceTestsOnPostgres(PostgresRelay relay) : GuardedRaceTests(relay), IClassFixture<PostgresRelay>;
