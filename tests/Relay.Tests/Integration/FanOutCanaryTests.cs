using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Google.Protobuf;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>
/// Canary for the fan-out check (STYLE.md habit 8): the same check, on one forced interleaving (an early push stopped at
/// its commit while a later one commits and a live subscriber reads it), must report a skipped entry against a
/// PostgreSQL store that numbers its log from a plain SEQUENCE without the state row lock, and nothing against the store
/// as designed.
/// </summary>
public abstract class FanOutCanaryTests(GatedPostgresRelay relay)
{
    protected async Task<(ChangeOutcome Late, ChangeOutcome Early, IReadOnlyList<string> Violations)> PushLateAndEarlyWhileSubscribedAsync(string prefix)
    {
        var lateWriter = await relay.DeviceAsync($"{prefix}-late-writer", "lead");
        var earlyWriter = await relay.DeviceAsync($"{prefix}-early-writer", "lead");
        var reader = await relay.DeviceAsync($"{prefix}-reader", "viewer");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = (await reader.Client.HandshakeAsync(new HandshakeRequest())).LogHead;
        using var stream = reader.Client.Subscribe(new SubscribeRequest { Cursor = start, Subscriptions = { new Subscription { Collection = "incidents" } } }, cancellationToken: cancel.Token);
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(SubscribeEvent.EventOneofCase.CaughtUp, stream.ResponseStream.Current.EventCase);

        var received = new List<(long Sequence, ByteString Change)>();
        bool Received(long sequence)
        {
            lock (received)
            {
                return received.Any(r => r.Sequence == sequence);
            }
        }

        var stopAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            var cursor = start;
            while (!(stopAt.Task.IsCompleted && cursor >= stopAt.Task.Result) && await stream.ResponseStream.MoveNext(cancel.Token))
            {
                if (stream.ResponseStream.Current.Page is { } page)
                {
                    lock (received)
                    {
                        received.AddRange(page.Entries.Select(e => (e.Sequence, e.Change)));
                    }

                    cursor = Math.Max(cursor, page.NextCursor);
                }
            }
        });

        relay.Gate.Arm();
        var late = Task.Run(() => lateWriter.PushAsync(lateWriter.Create("incidents", $"{prefix}-late", F("title", "pushed first, committed last"))));
        await relay.Gate.Held.WaitAsync(cancel.Token);
        var early = Task.Run(() => earlyWriter.PushAsync(earlyWriter.Create("incidents", $"{prefix}-early", F("title", "pushed second, committed first"))));
        // Broken store: the second push commits and the subscriber reads it. As designed: it waits for the state row lock.
        await relay.UntilAsync(() => early.IsCompleted && Received(early.Result.LogSequence), cancel.Token);
        relay.Gate.Release();
        var outcomes = await Task.WhenAll(late, early);

        var nudge = await earlyWriter.PushAsync(earlyWriter.Create("incidents", $"{prefix}-nudge-1", F("title", "last")));
        stopAt.SetResult(nudge.LogSequence);
        await earlyWriter.PushAsync(earlyWriter.Create("incidents", $"{prefix}-nudge-2", F("title", "wake")));
        await reading;

        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
        var accepted = outcomes.Select(o => (o.LogSequence, o.Committed[0])).OrderBy(a => a.LogSequence).ToList();
        lock (received)
        {
            return (outcomes[0], outcomes[1], LogDeliveryCheck.Violations(accepted, received, nudge.LogSequence));
        }
    }
}

public sealed class FanOutCanaryTestsNumberingFromPlainSequence(RelayNumberingLogFromPlainSequence relay) : FanOutCanaryTests(relay), IClassFixture<RelayNumberingLogFromPlainSequence>
{
    [Fact]
    public async Task The_fan_out_check_reports_a_skipped_entry_when_the_log_is_numbered_from_a_plain_sequence()
    {
        var (late, early, violations) = await PushLateAndEarlyWhileSubscribedAsync("canary-fan");

        Assert.True(late.LogSequence < early.LogSequence, "the late commit holds the lower sequence");
        Assert.Contains($"skipped sequence {late.LogSequence}", violations);
    }
}

public sealed class FanOutCanaryControlTests(GatedPostgresRelay relay) : FanOutCanaryTests(relay), IClassFixture<GatedPostgresRelay>
{
    [Fact]
    public async Task The_same_forced_interleaving_on_the_store_as_designed_delivers_both_entries_in_order()
    {
        var (late, early, violations) = await PushLateAndEarlyWhileSubscribedAsync("control-fan");

        Assert.Empty(violations);
        Assert.True(late.LogSequence < early.LogSequence);
    }
}
