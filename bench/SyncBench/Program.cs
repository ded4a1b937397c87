using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;
using Microsoft.Extensions.Logging;

namespace CrdtSync.SyncBench;

/// <summary>
/// End-to-end sync figures through a real relay on loopback (docs/sync.md): propagation latency A -> relay -> B,
/// throughput of a stream of changes, and catch-up of a replica that missed them, each next to a raw gRPC baseline
/// measured in the same run (unary Handshake round trip; raw Subscribe stream of the same log). Prints JSON lines.
/// </summary>
internal static class SyncBenchProgram
{
    private static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var changes = quick ? 10_000 : 100_000;
        var latencySamples = quick ? 200 : 1_000;
        var folder = Path.Combine(Path.GetTempPath(), "crdtsync-syncbench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var relay = await RelayHost.StartAsync(new RelayOptions
            {
                Urls = "http://127.0.0.1:0",
                DataDirectory = Path.Combine(folder, "relay"),
                ConfigurationJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"))
                    .Replace("\"pushesPerSecondMax\": 200", "\"pushesPerSecondMax\": 0", StringComparison.Ordinal),
            }, builder => builder.Logging.ClearProviders());

            var a = await Device.StartAsync(relay, folder, "a");
            var b = await Device.StartAsync(relay, folder, "b");
            var c = await Device.StartAsync(relay, folder, "c", start: false);
            await c.Client.SyncAllAsync();

            await RawUnaryAsync(relay, a, quick);
            await LatencyAsync(a, b, latencySamples);
            await ThroughputAsync(relay, a, b, changes);
            await RawStreamAsync(relay, c, changes);
            await CatchUpAsync(c, changes);

            await a.DisposeAsync();
            await b.DisposeAsync();
            await c.DisposeAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Baseline: the relay's Handshake RPC, sequential unary round trips.</summary>
    private static async Task RawUnaryAsync(RelayHost relay, Device device, bool quick)
    {
        using var channel = RelayChannels.ForAddress(relay.Address, device.Token);
        var client = new Protocol.V1.Sync.SyncClient(channel);
        for (var i = 0; i < (quick ? 2_000 : 10_000); i++)
        {
            await client.HandshakeAsync(new HandshakeRequest());
        }

        var samples = new List<double>();
        for (var i = 0; i < (quick ? 1_000 : 5_000); i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.HandshakeAsync(new HandshakeRequest());
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        Emit("baseline_unary_handshake_round_trip", new { count = samples.Count, p50_us = Percentile(samples, 50), p99_us = Percentile(samples, 99) });
    }

    /// <summary>A commit on A (UpdateAsync returns) until B's replica raises RecordChanged for it, one at a time.</summary>
    private static async Task LatencyAsync(Device a, Device b, int count)
    {
        await a.Replica.CreateAsync("incidents", new Dictionary<string, Value> { ["title"] = Value.String("latency") }, "lat");
        await WaitForAsync(async () => await b.Replica.GetAsync("incidents", "lat") is not null);
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Replica.RecordChanged += (_, e) =>
        {
            if (e.RecordId.Text == "lat")
            {
                seen.TrySetResult();
            }
        };

        var samples = new List<double>();
        for (var i = 0; i < count * 2; i++)
        {
            seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await a.Replica.UpdateAsync("incidents", "lat", new Dictionary<string, Value> { ["description"] = Value.String("v" + i.ToString(CultureInfo.InvariantCulture)) });
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
            if (i >= count)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        Emit("propagation_latency_a_to_b", new { warmup = count, count = samples.Count, p50_ms = Percentile(samples, 50), p99_ms = Percentile(samples, 99) });
    }

    /// <summary>A writes <paramref name="count"/> changes offline (1,000 records), then goes online: time until B has them all.</summary>
    private static async Task ThroughputAsync(RelayHost relay, Device a, Device b, int count)
    {
        const int records = 1_000;
        await a.Replica.EnterOfflineModeAsync();
        var writeStart = Stopwatch.GetTimestamp();
        for (var r = 0; r < records; r++)
        {
            await a.Replica.CreateAsync("tasks", new Dictionary<string, Value> { ["title"] = Value.String("t") }, "t" + r.ToString(CultureInfo.InvariantCulture));
        }

        for (var i = records; i < count; i++)
        {
            await a.Replica.UpdateAsync("tasks", "t" + (i % records).ToString(CultureInfo.InvariantCulture), new Dictionary<string, Value> { ["title"] = Value.String("v" + i.ToString(CultureInfo.InvariantCulture)) });
        }

        var writeSeconds = Stopwatch.GetElapsedTime(writeStart).TotalSeconds;
        var head = await LogHeadAsync(relay);
        var start = Stopwatch.GetTimestamp();
        await a.Replica.LeaveOfflineModeAsync();
        var target = head + count;
        await WaitForAsync(async () => (await a.Client.GetStatusAsync()).PendingCount == 0);
        var pushedSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await WaitForAsync(async () => (await b.Client.GetStatusAsync()).Cursor >= target);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Emit("throughput_a_to_b", new
        {
            changes = count,
            local_writes_per_s = Math.Round(count / writeSeconds),
            push_done_seconds = Math.Round(pushedSeconds, 2),
            sync_seconds = Math.Round(seconds, 2),
            changes_per_s = Math.Round(count / seconds),
        });
    }

    /// <summary>Baseline: the same log read as a raw Subscribe stream (no replica, no apply) from C's cursor.</summary>
    private static async Task RawStreamAsync(RelayHost relay, Device c, int count)
    {
        var cursor = (await c.Replica.GetSubscriptionsAsync()).Min(s => s.Cursor);
        using var channel = RelayChannels.ForAddress(relay.Address, c.Token);
        var client = new Protocol.V1.Sync.SyncClient(channel);
        var request = new SubscribeRequest { Cursor = cursor };
        request.Subscriptions.Add(new Protocol.V1.Subscription { Collection = "incidents" });
        request.Subscriptions.Add(new Protocol.V1.Subscription { Collection = "tasks" });
        using var cancel = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();
        long entries = 0, bytes = 0;
        using var call = client.Subscribe(request, cancellationToken: cancel.Token);
        while (await call.ResponseStream.MoveNext(cancel.Token))
        {
            var message = call.ResponseStream.Current;
            bytes += message.CalculateSize();
            if (message.EventCase == SubscribeEvent.EventOneofCase.Page)
            {
                entries += message.Page.Entries.Count;
            }
            else if (message.EventCase == SubscribeEvent.EventOneofCase.CaughtUp)
            {
                break;
            }
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await cancel.CancelAsync();
        Emit("baseline_raw_subscribe_stream", new { entries, seconds = Math.Round(seconds, 2), entries_per_s = Math.Round(entries / seconds), bytes_per_entry = Math.Round((double)bytes / Math.Max(1, entries), 1), missed = count });
    }

    /// <summary>C missed the whole stream: one SyncAll (pull pages to the head, applied to SQLite), and the bytes it received.</summary>
    private static async Task CatchUpAsync(Device c, int count)
    {
        var start = Stopwatch.GetTimestamp();
        var report = await c.Client.SyncAllAsync();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Emit("catch_up", new
        {
            missed_changes = count,
            pulled = report.Pulled,
            seconds = Math.Round(seconds, 2),
            changes_per_s = Math.Round(report.Pulled / seconds),
            wire_bytes_per_change = Math.Round((double)c.Counter.ReceivedBytes / Math.Max(1, report.Pulled), 1),
        });
    }

    private static async Task<long> LogHeadAsync(RelayHost relay)
    {
        using var channel = RelayChannels.ForAddress(relay.Address, relay.AdminCredential);
        return (await new Admin.AdminClient(channel).GetLogInfoAsync(new GetLogInfoRequest())).LogHead;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var start = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("The bench waited more than 10 minutes.");
            }

            await Task.Delay(5);
        }
    }

    private static double Percentile(List<double> samples, int percentile)
    {
        var sorted = samples.Order().ToArray();
        return Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1)], 3);
    }

    private static void Emit(string name, object figures)
    {
        var line = JsonSerializer.Serialize(figures);
        Console.WriteLine($"{{\"bench\":\"{name}\",{line[1..]}");
    }

    private sealed class Device : IAsyncDisposable
    {
        private Device(string token, ReplicaStore replica, SyncClient client, ByteCountingTransport counter)
        {
            Token = token;
            Replica = replica;
            Client = client;
            Counter = counter;
        }

        public string Token { get; }

        public ReplicaStore Replica { get; }

        public SyncClient Client { get; }

        public ByteCountingTransport Counter { get; }

        public static async Task<Device> StartAsync(RelayHost relay, string folder, string user, bool start = true)
        {
            var credential = await relay.CreateDeviceAsync(user, ["lead"]);
            var replica = ReplicaStore.Open(new ReplicaOptions
            {
                DatabasePath = Path.Combine(folder, user, "replica.db"),
                ReplicaId = credential.Replica,
                Durability = CommitDurability.Normal,
            });
            var options = new SyncClientOptions { RelayAddress = relay.Address, Token = credential.Token, BackoffMin = TimeSpan.FromMilliseconds(50), BackoffMax = TimeSpan.FromSeconds(1) };
            options.Collections.Add("incidents");
            options.Collections.Add("tasks");
            var counter = new ByteCountingTransport(GrpcRelayTransport.Create(options));
            var client = new SyncClient(replica, counter, options);
            if (start)
            {
                await client.StartAsync();
                await WaitForAsync(() => Task.FromResult(client.Status.State == SyncState.Live));
            }

            return new Device(credential.Token, replica, client, counter);
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            Counter.Dispose();
            Replica.Dispose();
        }
    }
}
