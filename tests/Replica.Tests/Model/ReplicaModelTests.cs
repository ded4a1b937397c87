using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Replica.Tests.Model;

public class ReplicaModelTests(ITestOutputHelper output)
{
    private static Gen<Op> OpGen =>
        from kind in Gen.Frequency(
            (4, Gen.Constant(OpKind.Create)), (5, Gen.Constant(OpKind.Edit)), (3, Gen.Constant(OpKind.Act)), (1, Gen.Constant(OpKind.Delete)),
            (4, Gen.Constant(OpKind.Push)), (2, Gen.Constant(OpKind.Refuse)), (3, Gen.Constant(OpKind.RemoteEdit)), (1, Gen.Constant(OpKind.RemoteDelete)),
            (3, Gen.Constant(OpKind.Pull)), (2, Gen.Constant(OpKind.Retry)), (2, Gen.Constant(OpKind.Discard)), (1, Gen.Constant(OpKind.Reopen)))
        from slot in Gen.Choose(0, 2)
        from number in Gen.Choose(0, 3)
        select new Op(kind, slot, number);

    [Fact]
    public void The_replica_agrees_with_the_model_after_every_step_of_random_writes_pulls_outcomes_resolves_discards_and_reopens()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_CASES"), out var n) ? n : 100;
        var (seed, gamma) = ReplaySeed();
        output.WriteLine($"cases={cases} seed={seed} gamma={gamma}");
        output.WriteLine($"Replay: CRDTSYNC_PROPERTY_REPLAY={seed},{gamma} dotnet test tests/Replica.Tests --filter {nameof(ReplicaModelTests)}");
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma), FSharpOption<int>.None)));
        var property = Prop.ForAll(Arb.From(OpGen.ListOf()), ops =>
        {
            Task.Run(() => ModelRun.RunAsync([.. ops])).GetAwaiter().GetResult();
        });
        try
        {
            Check.One(config, property);
        }
        catch (Exception error)
        {
            throw new ModelMismatchException(
                $"The replica and the model disagree. Replay with CRDTSYNC_PROPERTY_REPLAY={seed},{gamma} (and the same CRDTSYNC_PROPERTY_CASES={cases}).{Environment.NewLine}{error.Message}", error);
        }
    }

    [Fact]
    public async Task Canary_the_model_check_fails_when_the_replica_loses_an_outbox_entry()
    {
        Op[] ops = [new(OpKind.Create, 0, 0), new(OpKind.Edit, 0, 1)];
        await ModelRun.RunAsync(ops); // passes untouched

        var error = await Assert.ThrowsAsync<ModelMismatchException>(() =>
            ModelRun.RunAsync(ops, store => store.Database.Execute("DELETE FROM outbox")));
        Assert.Contains("outbox", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_the_model_check_fails_when_the_visible_state_is_wrong()
    {
        Op[] ops = [new(OpKind.Create, 1, 0), new(OpKind.Pull, 0, 0)];
        var error = await Assert.ThrowsAsync<ModelMismatchException>(() =>
            ModelRun.RunAsync(ops, store => store.Database.Execute("UPDATE records SET visible = confirmed")));
        Assert.Contains("r1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_the_model_check_fails_when_a_discarded_entry_s_sequence_is_used_again_after_a_reopen()
    {
        Op[] ops = [new(OpKind.Create, 0, 0), new(OpKind.Discard, 0, 0), new(OpKind.Reopen, 0, 0), new(OpKind.Create, 0, 0)];
        await ModelRun.RunAsync(ops); // passes untouched

        var error = await Assert.ThrowsAsync<ModelMismatchException>(() =>
            ModelRun.RunAsync(ops, store => store.Database.Execute("DROP TRIGGER outbox_removed")));
        Assert.Contains("reuses a sequence", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The seed from CRDTSYNC_PROPERTY_REPLAY (<c>seed,gamma</c>), else a new one (printed, so any failure can be replayed).</summary>
    private static (ulong Seed, ulong Gamma) ReplaySeed()
    {
        var text = Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_REPLAY");
        if (text?.Split(',') is [var seed, var gamma])
        {
            return (ulong.Parse(seed, System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(gamma, System.Globalization.CultureInfo.InvariantCulture) | 1);
        }

        var random = new Random();
        return ((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1);
    }
}
