using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class CompactionTests(TestRelay relay)
{
    [Fact]
    public async Task A_cursor_older_than_the_retained_log_answers_resync_required_and_a_snapshot_gives_a_cursor_to_go_on_from()
    {
        var lead = await relay.DeviceAsync("r-lead-3", "lead");
        var first = await lead.PushAsync(lead.Create("incidents", "r-compacted", F("title", "Old news"), F("status", "open")));
        await relay.Admin.CompactLogAsync(new CompactLogRequest { UpToSequence = first.LogSequence });

        var pull = await lead.Client.PullAsync(new PullRequest { Cursor = 0, Subscriptions = { new Subscription { Collection = "incidents" } } });
        using var snapshot = lead.Client.Snapshot(new SnapshotRequest { Subscriptions = { new Subscription { Collection = "incidents" } } });
        var pages = await snapshot.ResponseStream.ReadAllAsync().ToListAsync();
        var resumed = await lead.Client.PullAsync(new PullRequest { Cursor = pages[^1].Cursor, Subscriptions = { new Subscription { Collection = "incidents" } } });

        Assert.True(pull.ResyncRequired);
        Assert.Empty(pull.Entries);
        Assert.Contains(pages.SelectMany(p => p.Records), r => RecordStateCodec.Decode(r.ToByteArray()).Id.Text == "r-compacted");
        Assert.True(pages[^1].Last);
        Assert.False(resumed.ResyncRequired);
        Assert.True(resumed.CaughtUp);
    }
}

public sealed class CompactionTestsOnSqlite(SqliteRelay relay) : CompactionTests(relay), IClassFixture<SqliteRelay>;

public sealed class CompactionTestsOnPostgres(PostgresRelay relay) : CompactionTests(relay), IClassFixture<PostgresRelay>;
