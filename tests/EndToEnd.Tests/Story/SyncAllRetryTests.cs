using CrdtSync.EndToEnd.Tests.Support;
using CrdtSync.Replica.Transport;

namespace CrdtSync.EndToEnd.Tests.Story;

public sealed class SyncAllRetryTests
{
    [Fact]
    public async Task Sync_all_rides_out_a_relay_that_is_unreachable_for_a_moment()
    {
        await using var relay = await StoryRelay.StartAsync();
        FlakyHandshakeTransport? flaky = null;
        await using var alice = await StoryDevice.CreateAsync(relay, "alice", ["agent"], wrap: inner => flaky = new FlakyHandshakeTransport(inner, failures: 2), start: false);

        var report = await alice.Client.SyncAllAsync();

        Assert.True(report.CaughtUp);
        Assert.Equal(3, flaky!.Handshakes);
        flaky.Dispose();
    }

    [Fact]
    public async Task Sync_all_says_the_relay_is_unreachable_once_the_retries_are_spent()
    {
        await using var relay = await StoryRelay.StartAsync();
        FlakyHandshakeTransport? flaky = null;
        await using var alice = await StoryDevice.CreateAsync(relay, "alice", ["agent"], wrap: inner => flaky = new FlakyHandshakeTransport(inner, failures: int.MaxValue), start: false);

        var error = await Assert.ThrowsAsync<RelayTransportException>(() => alice.Client.SyncAllAsync());

        Assert.Equal(RelayTransportErrorKind.Unavailable, error.Kind);
        Assert.Equal(1 + alice.Options.SyncAllRetryCount, flaky!.Handshakes);
        flaky.Dispose();
    }
}
