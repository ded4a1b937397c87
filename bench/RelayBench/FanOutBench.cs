using System.Diagnostics;
using CrdtSync.Protocol.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace CrdtSync.RelayBench;

/// <summary>
/// Fan-out latency: live subscribers (on one relay) receive single-change pushes made (on the same or another relay)
/// one at a time; each push waits until every subscriber has it. Latency is measured per subscriber and push, from the
/// pusher's receipt of "accepted" (and, second figure, from the start of the push call) to the subscriber's receipt.
/// </summary>
internal static class FanOutBench
{
    public sealed record Result(double AcceptedToDeliveryP50Ms, double AcceptedToDeliveryP99Ms, double PushToDeliveryP50Ms, double PushToDeliveryP99Ms, int Samples);

    public static async Task<Result> RunAsync(BenchDevice writer, IReadOnlyList<BenchDevice> readers, int subscribers, int warmupRounds, int rounds)
    {
        var head = (await readers[0].Client.HandshakeAsync(new HandshakeRequest())).LogHead;
        var total = warmupRounds + rounds;
        var delivered = new long[total, subscribers];
        var remaining = Enumerable.Range(0, total).Select(_ => subscribers).ToArray();
        var roundDone = Enumerable.Range(0, total).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var cancel = new CancellationTokenSource();
        var streams = new List<AsyncServerStreamingCall<SubscribeEvent>>();
        for (var s = 0; s < subscribers; s++)
        {
            var stream = readers[s % readers.Count].Client.Subscribe(
                new SubscribeRequest { Cursor = head, Subscriptions = { new Subscription { Collection = "incidents" } } }, cancellationToken: cancel.Token);
            await stream.ResponseStream.MoveNext(cancel.Token);
            streams.Add(stream);
        }

        var reading = streams.Select((stream, s) => Task.Run(async () =>
        {
            try
            {
                while (await stream.ResponseStream.MoveNext(cancel.Token))
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var entry in stream.ResponseStream.Current.Page?.Entries ?? [])
                    {
                        var round = (int)(entry.Sequence - head - 1);
                        if (round >= 0 && round < total)
                        {
                            delivered[round, s] = now;
                            if (Interlocked.Decrement(ref remaining[round]) == 0)
                            {
                                roundDone[round].TrySetResult();
                            }
                        }
                    }
                }
            }
            catch (RpcException) when (cancel.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        var started = new long[total];
        var accepted = new long[total];
        for (var round = 0; round < total; round++)
        {
            var request = writer.Batch("fan", 1);
            started[round] = Stopwatch.GetTimestamp();
            await writer.Client.PushAsync(request);
            accepted[round] = Stopwatch.GetTimestamp();
            await roundDone[round].Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await cancel.CancelAsync();
        await Task.WhenAll(reading);
        foreach (var stream in streams)
        {
            stream.Dispose();
        }

        var fromAccepted = new List<double>();
        var fromPush = new List<double>();
        for (var round = warmupRounds; round < total; round++)
        {
            for (var s = 0; s < subscribers; s++)
            {
                fromAccepted.Add(Math.Max(0, Stopwatch.GetElapsedTime(accepted[round], delivered[round, s]).TotalMilliseconds));
                fromPush.Add(Stopwatch.GetElapsedTime(started[round], delivered[round, s]).TotalMilliseconds);
            }
        }

        fromAccepted.Sort();
        fromPush.Sort();
        return new Result(
            Figures.Percentile(fromAccepted, 50), Figures.Percentile(fromAccepted, 99),
            Figures.Percentile(fromPush, 50), Figures.Percentile(fromPush, 99), fromAccepted.Count);
    }

    /// <summary>The transport baseline: p50/p99 of a unary push of one change to the echo server, in milliseconds.</summary>
    public static async Task<(double P50Ms, double P99Ms)> EchoLatencyAsync(GrpcChannel channel, BenchDevice device, int warmup, int calls)
    {
        var client = new Sync.SyncClient(channel);
        var samples = new List<double>(calls);
        for (var i = 0; i < warmup + calls; i++)
        {
            var request = device.Batch("echo-lat", 1);
            var start = Stopwatch.GetTimestamp();
            await client.PushAsync(request);
            if (i >= warmup)
            {
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        samples.Sort();
        return (Figures.Percentile(samples, 50), Figures.Percentile(samples, 99));
    }
}
