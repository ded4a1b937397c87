using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>Two relay instances on one PostgreSQL database (DESIGN.md §7).</summary>
public sealed class MultiInstanceTests(TwoPostgresRelays relays) : IClassFixture<TwoPostgresRelays>
{
    private static SubscribeRequest SubscribeIncidents(long cursor = 0) => new() { Cursor = cursor, Subscriptions = { new Subscription { Collection = "incidents" } } };

    [Fact]
    public async Task A_change_pushed_to_one_instance_reaches_a_live_subscriber_and_a_pull_on_the_other()
    {
        var writer = await relays.DeviceAsync(relays.First, "m-writer", "lead");
        var reader = await relays.DeviceAsync(relays.Second, "m-reader", "viewer");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = reader.Client.Subscribe(SubscribeIncidents(), cancellationToken: cancel.Token);
        var cursor = 0L;
        while (await stream.ResponseStream.MoveNext(cancel.Token) && stream.ResponseStream.Current.EventCase != SubscribeEvent.EventOneofCase.CaughtUp)
        {
            cursor = stream.ResponseStream.Current.Page.NextCursor;
        }

        var outcome = await writer.PushAsync(writer.Create("incidents", "m-converge", F("title", "Seen everywhere"), F("status", "open")));
        // The second instance re-checks only every 10 minutes: only its NOTIFY listener can wake this subscriber.
        var live = new List<LogEntry>();
        while (live.Count == 0 && await stream.ResponseStream.MoveNext(cancel.Token))
        {
            live.AddRange(stream.ResponseStream.Current.Page?.Entries ?? []);
        }

        var pulled = await reader.Client.PullAsync(new PullRequest { Cursor = cursor, Subscriptions = { new Subscription { Collection = "incidents" } } });

        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
        var entry = Assert.Single(live);
        Assert.Equal(outcome.LogSequence, entry.Sequence);
        Assert.Equal(outcome.Committed[0], entry.Change);
        Assert.Equal([outcome.Committed[0]], pulled.Entries.Select(e => e.Change));
    }

    [Fact]
    public async Task Guarded_closes_raced_across_two_instances_accept_exactly_one_in_each_of_100_rounds_with_unique_monotonic_relay_effects()
    {
        var lead = await relays.DeviceAsync(relays.First, "m-race-lead", "lead");
        var alice = await relays.DeviceAsync(relays.First, "m-race-alice", "agent");
        var bob = await relays.DeviceAsync(relays.Second, "m-race-bob", "agent");

        var rounds = await GuardedRaceCheck.RunAsync(lead, alice, bob, "m-race", 100);

        Assert.Equal(100, rounds.Count);
        Assert.Empty(GuardedRaceCheck.Violations(rounds));
        var effects = rounds
            .Select(outcomes => outcomes.Single(o => o.Kind == OutcomeKind.Accepted))
            .Select(accepted => (Sequence: accepted.LogSequence + 1, Effect: ChangeCodec.Decode(accepted.Committed[1].ToByteArray())))
            .ToList();
        // Effects are stamped by the shared relay origin: never the same change id twice, stamps rising in log order.
        var ordered = effects.OrderBy(e => e.Sequence).Select(e => e.Effect).ToList();
        Assert.Equal(100, ordered.Select(e => e.Id).Distinct().Count());
        Assert.Single(ordered.Select(e => e.Id.Origin).Distinct());
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.First.Stamp.CompareTo(pair.Second.Stamp) < 0));
        Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.True(pair.First.Id.Sequence < pair.Second.Id.Sequence));
    }

    [Fact]
    public async Task Twenty_subscribers_on_two_instances_see_every_entry_of_eight_writers_exactly_once_in_order_while_commits_are_delayed_at_random()
    {
        const int writerCount = 8, subscriberCount = 20, batches = 12, batchSize = 4;
        var hosts = new[] { relays.First, relays.Second };
        var readers = new[] { await relays.DeviceAsync(relays.First, "m-fan-reader-1", "viewer"), await relays.DeviceAsync(relays.Second, "m-fan-reader-2", "viewer") };
        var start = (await readers[0].Client.HandshakeAsync(new HandshakeRequest())).LogHead;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var subscribers = new List<(AsyncServerStreamingCall<SubscribeEvent> Stream, List<(long, ByteString)> Received)>();
        for (var i = 0; i < subscriberCount; i++)
        {
            var stream = readers[i % 2].Client.Subscribe(SubscribeIncidents(start), cancellationToken: cancel.Token);
            Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(SubscribeEvent.EventOneofCase.CaughtUp, stream.ResponseStream.Current.EventCase);
            subscribers.Add((stream, []));
        }

        // Each subscriber reads until it has seen the first nudge (pushed after every writer finished); a second nudge
        // wakes a subscriber that saw the first before it knew to stop.
        var lastSequence = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = subscribers.Select(s => Task.Run(async () =>
        {
            var last = start;
            while (!(lastSequence.Task.IsCompleted && last >= lastSequence.Task.Result) && await s.Stream.ResponseStream.MoveNext(cancel.Token))
            {
                if (s.Stream.ResponseStream.Current.Page is { } page)
                {
                    s.Received.AddRange(page.Entries.Select(e => (e.Sequence, e.Change)));
                    last = Math.Max(last, page.NextCursor);
                }
            }
        })).ToList();

        relays.CommitDelayMax = TimeSpan.FromMilliseconds(15);
        var accepted = new List<(long, ByteString)>();
        try
        {
            var writers = await Task.WhenAll(Enumerable.Range(0, writerCount).Select(w => relays.DeviceAsync(hosts[w % 2], $"m-fan-writer-{w}", "lead")));
            var written = await Task.WhenAll(writers.Select((writer, w) => Task.Run(async () =>
            {
                var mine = new List<(long, ByteString)>();
                for (var b = 0; b < batches; b++)
                {
                    var outcomes = await writer.PushAsync(Enumerable.Range(0, batchSize).Select(i => writer.Create("incidents", $"m-fan-{w}-{b}-{i}", F("title", $"{w}/{b}/{i}"))));
                    Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
                    mine.AddRange(outcomes.Select(o => (o.LogSequence, o.Committed[0])));
                }

                return mine;
            })));
            accepted.AddRange(written.SelectMany(w => w).OrderBy(a => a.Item1));
        }
        finally
        {
            relays.CommitDelayMax = TimeSpan.Zero;
        }

        var nudger = await relays.DeviceAsync(relays.First, "m-fan-nudger", "lead");
        var nudge = await nudger.PushAsync(nudger.Create("incidents", "m-fan-nudge-1", F("title", "last")));
        lastSequence.SetResult(nudge.LogSequence);
        await nudger.PushAsync(nudger.Create("incidents", "m-fan-nudge-2", F("title", "wake")));
        await Task.WhenAll(reading);
        foreach (var (stream, _) in subscribers)
        {
            stream.Dispose();
        }

        Assert.Equal(writerCount * batches * batchSize, accepted.Count);
        Assert.Equal(OutcomeKind.Accepted, nudge.Kind);
        Assert.All(subscribers, s => Assert.Empty(LogDeliveryCheck.Violations(accepted, s.Received, nudge.LogSequence)));
    }
}
