using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>Small limits: batches of 10, 64 KiB messages, 2 pushes per second per device.</summary>
public static class SmallLimits
{
    public static void Apply(RelayOptions options) => options.ConfigurationJson = TestRelay.SampleJson
        .Replace("\"batchCountMax\": 1000", "\"batchCountMax\": 10", StringComparison.Ordinal)
        .Replace("\"messageBytesMax\": 4194304", "\"messageBytesMax\": 65536", StringComparison.Ordinal)
        .Replace("\"pushesPerSecondMax\": 200", "\"pushesPerSecondMax\": 2", StringComparison.Ordinal);
}

/// <summary>A SQLite relay with <see cref="SmallLimits"/>.</summary>
public sealed class SmallLimitsSqliteRelay() : SqliteRelay(SmallLimits.Apply);

/// <summary>A PostgreSQL relay with <see cref="SmallLimits"/>.</summary>
public sealed class SmallLimitsPostgresRelay() : PostgresRelay(SmallLimits.Apply);

public abstract class HardeningTests(TestRelay relay)
{
    private static async Task<RpcException> Refused(Task call) => await Assert.ThrowsAsync<RpcException>(async () => await call);

    private static async Task StillServes(TestDevice device, string id)
    {
        var outcome = await device.PushAsync(device.Create("incidents", id, F("title", "still here")));
        Assert.Equal(OutcomeKind.Accepted, outcome.Kind);
    }

    private static PushRequest Push(params byte[][] changes)
    {
        var request = new PushRequest();
        request.Changes.AddRange(changes.Select(ByteString.CopyFrom));
        return request;
    }

    [Fact]
    public async Task Garbage_change_bytes_are_invalid_argument_with_no_internals_and_the_relay_keeps_serving()
    {
        var device = await relay.DeviceAsync("h-garbage", "agent");

        var error = await Refused(device.Client.PushAsync(Push([0x01, 0xC1, 0xFF, 0x00])).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.DoesNotContain("   at ", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("SQL", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        await StillServes(device, "h-garbage-after");
    }

    [Fact]
    public async Task A_truncated_change_is_invalid_argument_and_nothing_of_its_batch_is_recorded()
    {
        var device = await relay.DeviceAsync("h-truncated", "agent");
        var good = ChangeCodec.Encode(device.Create("incidents", "h-truncated-1", F("title", "fine")));
        var cut = ChangeCodec.Encode(device.Create("incidents", "h-truncated-2", F("title", "cut short")));
        var before = await relay.LogInfoAsync();

        var error = await Refused(device.Client.PushAsync(Push(good, cut[..^3])).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Change 1", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before.OutcomeCount, (await relay.LogInfoAsync()).OutcomeCount);
        relay.Time.Advance(TimeSpan.FromSeconds(1));
        await StillServes(device, "h-truncated-after");
    }

    [Fact]
    public async Task A_message_over_the_size_cap_is_resource_exhausted_and_the_relay_keeps_serving()
    {
        var device = await relay.DeviceAsync("h-oversize", "agent");
        var big = ChangeCodec.Encode(device.Create("incidents", "h-oversize-1", F("title", "big"), F("description", new string('x', 9000))));

        var error = await Refused(device.Client.PushAsync(Push(Enumerable.Repeat(big, 9).ToArray())).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        await StillServes(device, "h-oversize-after");
    }

    [Fact]
    public async Task A_batch_over_the_count_cap_is_resource_exhausted()
    {
        var device = await relay.DeviceAsync("h-batch", "agent");
        var changes = Enumerable.Range(0, 11).Select(i => ChangeCodec.Encode(device.Create("incidents", $"h-batch-{i}", F("title", "t")))).ToArray();

        var error = await Refused(device.Client.PushAsync(Push(changes)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task A_device_pushing_faster_than_its_rate_is_resource_exhausted_until_time_passes()
    {
        var device = await relay.DeviceAsync("h-rate", "agent");
        await StillServes(device, "h-rate-1");
        await StillServes(device, "h-rate-2");

        var error = await Refused(device.PushAsync(device.Create("incidents", "h-rate-3", F("title", "too fast"))));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        relay.Time.Advance(TimeSpan.FromSeconds(1));
        await StillServes(device, "h-rate-4");
    }

    [Fact]
    public async Task A_request_that_is_not_protobuf_is_refused_and_the_relay_keeps_serving()
    {
        var device = await relay.DeviceAsync("h-raw", "agent");
        var raw = new Method<byte[], byte[]>(MethodType.Unary, "crdtsync.v1.Sync", "Push",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var invoker = device.Channel.CreateCallInvoker();

        var error = await Refused(invoker.AsyncUnaryCall(raw, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
        Assert.DoesNotContain("   at ", error.Status.Detail, StringComparison.Ordinal);
        relay.Time.Advance(TimeSpan.FromSeconds(1));
        await StillServes(device, "h-raw-after");
    }

    [Fact]
    public async Task A_call_past_its_deadline_ends_with_deadline_exceeded()
    {
        var device = await relay.DeviceAsync("h-deadline", "agent");

        var error = await Refused(device.Client.PullAsync(new PullRequest { Subscriptions = { new Subscription { Collection = "incidents" } } }, deadline: DateTime.UtcNow.AddMilliseconds(-1)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public async Task The_health_service_reports_serving()
    {
        var device = await relay.DeviceAsync("h-health", "agent");

        var health = await new Health.HealthClient(device.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task A_relay_refuses_to_start_on_a_non_loopback_address_without_tls()
    {
        var options = new RelayOptions { Urls = "http://0.0.0.0:0", DataDirectory = relay.DataDirectory + "-remote", AdminCredential = "x" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RelayHost.StartAsync(options, b => b.Logging.ClearProviders()));

        Assert.Contains("without TLS", error.Message, StringComparison.Ordinal);
    }
}

public sealed class HardeningTestsOnSqlite(SmallLimitsSqliteRelay relay) : HardeningTests(relay), IClassFixture<SmallLimitsSqliteRelay>;

public sealed class HardeningTestsOnPostgres(SmallLimitsPostgresRelay relay) : HardeningTests(relay), IClassFixture<SmallLimitsPostgresRelay>;
