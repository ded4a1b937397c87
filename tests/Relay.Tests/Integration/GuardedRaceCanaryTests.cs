using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Xunit;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>
/// Canary for the guarded-race check (STYLE.md habit 8): the same check, on one forced interleaving (Alice's close
/// stopped at its commit with its locks held while Bob's close is decided), must report double acceptance against a
/// PostgreSQL store that skips its record locks, and nothing against the store as designed.
/// </summary>
public abstract class GuardedRaceCanaryTests(GatedPostgresRelay relay)
{
    protected async Task<(IReadOnlyList<ChangeOutcome[]> Rounds, IReadOnlyList<string> Violations)> RaceWithAliceHeldAtCommitAsync(string prefix)
    {
        var lead = await relay.DeviceAsync($"{prefix}-lead", "lead");
        var alice = await relay.DeviceAsync($"{prefix}-alice", "agent");
        var bob = await relay.DeviceAsync($"{prefix}-bob", "agent");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        async Task<ChangeOutcome[]> AliceHeldAtCommit(Func<Task<ChangeOutcome>> alicePush, Func<Task<ChangeOutcome>> bobPush)
        {
            relay.Gate.Arm();
            var aliceTask = Task.Run(alicePush);
            await relay.Gate.Held.WaitAsync(cancel.Token);
            var bobTask = Task.Run(bobPush);
            // Bob has decided and waits on a lock Alice holds (the store as designed: her record lock, before he reads;
            // without record locks: the state row lock, after he read the record as still open).
            await relay.UntilAsync(() => bobTask.IsCompleted, cancel.Token);
            relay.Gate.Release();
            return await Task.WhenAll(aliceTask, bobTask);
        }

        var rounds = await GuardedRaceCheck.RunAsync(lead, alice, bob, prefix, 3, AliceHeldAtCommit);
        return (rounds, GuardedRaceCheck.Violations(rounds));
    }
}

public sealed class GuardedRaceCanaryTestsWithoutRecordLocks(RelayWithoutRecordLocks relay) : GuardedRaceCanaryTests(relay), IClassFixture<RelayWithoutRecordLocks>
{
    [Fact]
    public async Task The_guarded_race_check_reports_double_acceptance_when_the_store_takes_no_record_locks()
    {
        var (rounds, violations) = await RaceWithAliceHeldAtCommitAsync("canary-race");

        Assert.Equal(3, violations.Count);
        Assert.All(rounds, outcomes => Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind)));
    }
}

public sealed class GuardedRaceCanaryControlTests(GatedPostgresRelay relay) : GuardedRaceCanaryTests(relay), IClassFixture<GatedPostgresRelay>
{
    [Fact]
    public async Task The_same_forced_interleaving_on_the_store_as_designed_accepts_exactly_one_close_per_round()
    {
        var (rounds, violations) = await RaceWithAliceHeldAtCommitAsync("control-race");

        Assert.Empty(violations);
        Assert.All(rounds, outcomes => Assert.Equal(OutcomeKind.Accepted, outcomes[0].Kind));
    }
}
