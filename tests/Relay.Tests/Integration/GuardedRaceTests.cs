using CrdtSync.Relay.Tests.Support;
using Xunit;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class GuardedRaceTests(TestRelay relay)
{
    [Fact]
    public async Task Two_devices_racing_to_close_the_same_incident_get_exactly_one_acceptance_in_each_of_100_rounds()
    {
        var lead = await relay.DeviceAsync("race-lead", "lead");
        var alice = await relay.DeviceAsync("race-alice", "agent");
        var bob = await relay.DeviceAsync("race-bob", "agent");

        var rounds = await GuardedRaceCheck.RunAsync(lead, alice, bob, "race", 100);

        Assert.Equal(100, rounds.Count);
        Assert.Empty(GuardedRaceCheck.Violations(rounds));
    }
}

public sealed class GuardedRaceTestsOnSqlite(SqliteRelay relay) : GuardedRaceTests(relay), IClassFixture<SqliteRelay>;

public sealed class GuardedRaceTestsOnPostgres(PostgresRelay relay) : GuardedRaceTests(relay), IClassFixture<PostgresRelay>;
