using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class SubscribeTests(TestRelay relay)
{
    [Fact]
    public async Task A_subscriber_sees_every_accepted_change_exactly_once_in_order_across_reconnects()
    {
        var writer = await relay.DeviceAsync("s-writer", "lead");
        var reader = await relay.DeviceAsync("s-reader", "viewer");
        var accepted = new List<(long Sequence, ByteString Change)>();
        var received = new List<(long Sequence, ByteString Change)>();
        var cursor = 0L;

        async Task WriteBatchAsync(int batch)
        {
            var outcomes = await writer.PushAsync(Enumerable.Range(0, 5).Select(i => writer.Create("incidents", $"s-{batch}-{i}", F("title", $"{batch}/{i}"), F("status", "open"))));
            foreach (var outcome in outcomes)
            {
                Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
                accepted.AddRange(outcome.Committed.Select((c, k) => (outcome.LogSequence + k, c)));
            }
        }

        await WriteBatchAsync(0);
        for (var connection = 0; connection < 4; connection++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var stream = reader.Client.Subscribe(new SubscribeRequest { Cursor = cursor, Subscriptions = { new Subscription { Collection = "incidents" } } }, cancellationToken: cancel.Token);
            var liveBatches = 0;
            while (await stream.ResponseStream.MoveNext(cancel.Token))
            {
                var current = stream.ResponseStream.Current;
                if (current.EventCase == SubscribeEvent.EventOneofCase.Page)
                {
                    received.AddRange(current.Page.Entries.Select(e => (e.Sequence, e.Change)));
                    cursor = current.Page.NextCursor;
                }

                // Once caught up (and after each live page), write more while the stream is open.
                if ((current.EventCase == SubscribeEvent.EventOneofCase.CaughtUp || current.Page?.CaughtUp == true) && received.Count == accepted.Count)
                {
                    if (liveBatches == 2)
                    {
                        break;
                    }

                    liveBatches++;
                    relay.Time.Advance(TimeSpan.FromSeconds(1));
                    await WriteBatchAsync((connection * 10) + liveBatches);
                }
            }

            // Changes committed while nobody listens are caught up on the next connection.
            await cancel.CancelAsync();
            await WriteBatchAsync(100 + connection);
        }

        using var final = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var last = reader.Client.Subscribe(new SubscribeRequest { Cursor = cursor, Subscriptions = { new Subscription { Collection = "incidents" } } }, cancellationToken: final.Token);
        while (await last.ResponseStream.MoveNext(final.Token) && last.ResponseStream.Current.EventCase != SubscribeEvent.EventOneofCase.CaughtUp)
        {
            received.AddRange(last.ResponseStream.Current.Page.Entries.Select(e => (e.Sequence, e.Change)));
        }

        Assert.Equal(accepted.OrderBy(a => a.Sequence), received);
    }
}

public sealed class SubscribeTestsOnSqlite(SqliteRelay relay) : SubscribeTests(relay), IClassFixture<SqliteRelay>;

public sealed class SubscribeTestsOnPostgres(PostgresRelay relay) : SubscribeTests(relay), IClassFixture<PostgresRelay>;
