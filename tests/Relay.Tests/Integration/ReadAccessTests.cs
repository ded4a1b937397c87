using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class ReadAccessTests(TestRelay relay)
{
    private static string Everything(IEnumerable<PullResponse> pages) =>
        string.Join("|", pages.SelectMany(p => p.Entries).Select(e => System.Text.Encoding.UTF8.GetString(e.Change.Length > 0 ? e.Change.ToByteArray() : e.RecordState.ToByteArray())));

    [Fact]
    public async Task A_collection_the_caller_may_not_read_is_refused_in_pull_subscribe_and_snapshot()
    {
        var contractor = await relay.DeviceAsync("r-carl", "contractor");
        var subscription = new Subscription { Collection = "incidents" };

        var pull = await Assert.ThrowsAsync<RpcException>(async () => await contractor.Client.PullAsync(new PullRequest { Subscriptions = { subscription } }));
        using var stream = contractor.Client.Subscribe(new SubscribeRequest { Subscriptions = { subscription } });
        var subscribe = await Assert.ThrowsAsync<RpcException>(async () => await stream.ResponseStream.MoveNext());
        using var snapshot = contractor.Client.Snapshot(new SnapshotRequest { Subscriptions = { subscription } });
        var snap = await Assert.ThrowsAsync<RpcException>(async () => await snapshot.ResponseStream.MoveNext());

        Assert.All([pull, subscribe, snap], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
    }

    [Fact]
    public async Task A_filtered_reader_receives_its_own_records_whole_and_nothing_of_anyone_elses_in_pull_subscribe_or_snapshot()
    {
        var lead = await relay.DeviceAsync("r-lead", "lead");
        var contractor = await relay.DeviceAsync("r-cora", "contractor");
        var mine = lead.Create("tasks", "r-mine", F("title", "Fix pump"), F("assigned_to", "r-cora"), F("state", "todo"));
        var theirs = lead.Create("tasks", "r-theirs", F("title", "Secret-task-title"), F("assigned_to", "r-someone"), F("state", "todo"));
        var doomed = lead.Create("tasks", "r-doomed", F("title", "Doomed-task-title"), F("assigned_to", "r-someone"), F("state", "todo"));
        var later = lead.Create("tasks", "r-later", F("title", "Later"), F("assigned_to", "r-someone"), F("state", "todo"));
        await lead.PushAsync([mine, theirs, doomed, later]);
        await lead.PushAsync(lead.Delete("tasks", "r-doomed", Seen(doomed)));
        await lead.PushAsync(lead.Upsert("tasks", "r-theirs", Seen(theirs), F("title", "Secret-task-title-2")));
        // r-later moves into the contractor's filter: it must then arrive whole, title included.
        await lead.PushAsync(lead.Upsert("tasks", "r-later", Seen(later), F("assigned_to", "r-cora")));

        var pages = await contractor.PullAllAsync(0, "tasks");
        var states = pages.SelectMany(p => p.Entries).Select(e => RecordStateCodec.Decode(e.RecordState.ToByteArray())).ToList();
        using var snapshot = contractor.Client.Snapshot(new SnapshotRequest { Subscriptions = { new Subscription { Collection = "tasks" } } });
        var snapshotIds = new List<string>();
        await foreach (var page in snapshot.ResponseStream.ReadAllAsync())
        {
            snapshotIds.AddRange(page.Records.Select(r => RecordStateCodec.Decode(r.ToByteArray()).Id.Text));
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = contractor.Client.Subscribe(new SubscribeRequest { Subscriptions = { new Subscription { Collection = "tasks" } } }, cancellationToken: cancel.Token);
        var streamed = new List<PullResponse>();
        while (await stream.ResponseStream.MoveNext(cancel.Token) && stream.ResponseStream.Current.EventCase != SubscribeEvent.EventOneofCase.CaughtUp)
        {
            streamed.Add(stream.ResponseStream.Current.Page);
        }

        Assert.Equal(["r-later", "r-mine"], states.Select(s => s.Id.Text).Order(StringComparer.Ordinal));
        Assert.Equal("Later", states.Single(s => s.Id.Text == "r-later")[new Crdt.Values.FieldName("title")].AsString);
        Assert.Equal(["r-later", "r-mine"], snapshotIds.Order(StringComparer.Ordinal));
        foreach (var text in new[] { Everything(pages), Everything(streamed) })
        {
            Assert.DoesNotContain("r-theirs", text, StringComparison.Ordinal);
            Assert.DoesNotContain("r-doomed", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Secret-task-title", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Revoking_a_role_reaches_a_live_subscriber_and_the_next_handshake()
    {
        var lead = await relay.DeviceAsync("r-lead-2", "lead");
        var agent = await relay.DeviceAsync("r-agnes", "agent");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = agent.Client.Subscribe(new SubscribeRequest { Subscriptions = { new Subscription { Collection = "incidents" } } }, cancellationToken: cancel.Token);
        while (await stream.ResponseStream.MoveNext(cancel.Token) && stream.ResponseStream.Current.EventCase != SubscribeEvent.EventOneofCase.CaughtUp)
        {
        }

        await relay.Admin.RevokeRoleAsync(new RoleRequest { User = "r-agnes", Role = "agent" });
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token));
        var changed = stream.ResponseStream.Current;
        await lead.PushAsync(lead.Create("incidents", "r-after-revoke", F("title", "Not for agnes"), F("status", "open")));
        var hello = await agent.Client.HandshakeAsync(new HandshakeRequest());

        Assert.Equal(SubscribeEvent.EventOneofCase.AccessChanged, changed.EventCase);
        Assert.Empty(changed.AccessChanged.Roles);
        Assert.Empty(hello.Roles);
        Assert.Empty(hello.Access);
        var outcome = await agent.PushAsync(agent.Create("incidents", "r-agnes-edit", F("title", "x")));
        Assert.Equal(OutcomeKind.Forbidden, outcome.Kind);
    }
}

public sealed class ReadAccessTestsOnSqlite(SqliteRelay relay) : ReadAccessTests(relay), IClassFixture<SqliteRelay>;

public sealed class ReadAccessTestsOnPostgres(PostgresRelay relay) : ReadAccessTests(relay), IClassFixture<PostgresRelay>;
