using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.WebConsole;
using Grpc.Core;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.WebConsole;

/// <summary>Each console screen's data against a real relay, with real replicas and devices syncing over gRPC on loopback.</summary>
public abstract class ConsoleScreenTests(ConsoleRelay relay)
{
    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    [Fact]
    public async Task Devices_show_each_replicas_last_handshake_and_how_many_log_entries_it_is_behind_the_head()
    {
        var (alice, aliceSync, aliceCredential) = await relay.ReplicaAsync(Unique("alice"), "agent");
        var (_, bobSync, bobCredential) = await relay.ReplicaAsync(Unique("bob"), "agent");
        var never = await relay.Host.CreateDeviceAsync(Unique("carol"), ["viewer"]);
        await bobSync.SyncAllAsync();
        for (var i = 0; i < 3; i++)
        {
            await alice.CreateAsync("incidents", ConsoleRelay.Fields(("title", $"Leak {i}")));
        }

        await aliceSync.SyncAllAsync();
        using var console = await relay.SignedInAsync();

        var view = await console.GetAsync<DevicesView>("/api/devices");

        var aliceRow = Assert.Single(view.Devices, d => d.ReplicaId == aliceCredential.Replica.ToString());
        var bobRow = Assert.Single(view.Devices, d => d.ReplicaId == bobCredential.Replica.ToString());
        var neverRow = Assert.Single(view.Devices, d => d.ReplicaId == never.Replica.ToString());
        Assert.NotNull(aliceRow.LastHandshakeAt);
        Assert.Equal(view.LogHead, aliceRow.Cursor);
        Assert.Equal(0, aliceRow.Behind);
        Assert.NotNull(bobRow.LastHandshakeAt);
        Assert.Equal(3, bobRow.Behind);
        Assert.Equal(view.LogHead - 3, bobRow.Cursor);
        Assert.Null(neverRow.LastHandshakeAt);
        Assert.Null(neverRow.Cursor);
        Assert.Null(neverRow.Behind);
        Assert.False(aliceRow.Revoked);
    }

    [Fact]
    public async Task Outcomes_count_each_kind_decided_in_the_last_hour_but_not_the_answers_to_a_re_push()
    {
        var agent = await relay.DeviceAsync(Unique("dana"), "agent");
        var viewer = await relay.DeviceAsync(Unique("eve"), "viewer");
        using var console = await relay.SignedInAsync();
        var before = await console.GetAsync<OutcomesView>("/api/outcomes");
        var first = agent.Create("incidents", Unique("out-a"), F("title", "A"));

        await agent.PushAsync([first, agent.Create("incidents", Unique("out-b"), F("title", "B"))]);
        await agent.PushAsync(agent.Create("incidents", Unique("out-c"), F("title", "C"), F("priority", 9)));
        await viewer.PushAsync(viewer.Create("incidents", Unique("out-d"), F("title", "D")));
        var repeated = await agent.PushAsync(first);
        var after = await console.GetAsync<OutcomesView>("/api/outcomes");

        Assert.True(repeated.RepeatedPush);
        long Count(OutcomesView view, string kind) => Assert.Single(view.Kinds, k => k.Kind == kind).Count;
        Assert.Equal(2, Count(after, "accepted") - Count(before, "accepted"));
        Assert.Equal(1, Count(after, "invalid") - Count(before, "invalid"));
        Assert.Equal(1, Count(after, "forbidden") - Count(before, "forbidden"));
        Assert.Equal(4, after.Total - before.Total);
        Assert.Equal(["accepted", "conflict", "invalid", "deleted", "forbidden", "clock_skew"], after.Kinds.Select(k => k.Kind));

        relay.Time.Advance(TimeSpan.FromMinutes(61));
        var hourLater = await console.GetAsync<OutcomesView>("/api/outcomes");
        Assert.Equal(0, hourLater.Total);
    }

    [Fact]
    public async Task The_journal_of_a_record_keeps_the_title_that_lost_to_a_concurrent_edit()
    {
        var (alice, aliceSync, _) = await relay.ReplicaAsync(Unique("alice"), "agent");
        var (bob, bobSync, _) = await relay.ReplicaAsync(Unique("bob"), "agent");
        var id = Unique("pump");
        await alice.CreateAsync("incidents", ConsoleRelay.Fields(("title", "Pump 3 leaks")), id);
        await aliceSync.SyncAllAsync();
        await bobSync.SyncAllAsync();
        await bob.UpdateAsync("incidents", id, ConsoleRelay.Fields(("title", "Pump 3 leaks badly")));
        await alice.UpdateAsync("incidents", id, ConsoleRelay.Fields(("title", "Pump 3 fixed")));
        await bobSync.SyncAllAsync();
        await aliceSync.SyncAllAsync();
        using var console = await relay.SignedInAsync();

        var view = await console.GetAsync<RecordView>($"/api/records/incidents/{id}");

        Assert.True(view.Found);
        Assert.False(view.Deleted);
        var title = Assert.Single(view.Fields, f => f.Field == "title");
        var lost = Assert.Single(view.Journal);
        Assert.Equal("title", lost.Field);
        Assert.Equal(new[] { "Pump 3 fixed", "Pump 3 leaks badly" }, new[] { title.Value, lost.Value }.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Looking_up_an_unknown_record_says_so_and_an_unknown_collection_is_a_clear_400()
    {
        using var console = await relay.SignedInAsync();

        var missing = await console.GetAsync<RecordView>("/api/records/incidents/no-such-record");
        var wrong = await console.Http.GetAsync("/api/records/invoices/x");

        Assert.False(missing.Found);
        Assert.Empty(missing.Journal);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("no collection 'invoices'", (await wrong.Content.ReadFromJsonAsync<ProblemView>(JsonSerializerOptions.Web))!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_role_revoked_on_the_console_takes_effect_on_the_devices_next_pull_and_granting_it_again_restores_it()
    {
        var user = Unique("frank");
        var device = await relay.DeviceAsync(user, "viewer");
        using var console = await relay.SignedInAsync();
        await device.PullAllAsync(0, "incidents");

        var revoke = await console.SetGrantAsync(user, "viewer", granted: false);
        var revoked = (await revoke.Content.ReadFromJsonAsync<GrantResult>(JsonSerializerOptions.Web))!;
        var refused = await Assert.ThrowsAsync<RpcException>(() => device.PullAllAsync(0, "incidents"));
        var grants = await console.GetAsync<GrantsView>("/api/grants");
        var grant = await console.SetGrantAsync(user, "viewer", granted: true);
        var pages = await device.PullAllAsync(0, "incidents");

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.True(revoked.Changed);
        Assert.Empty(revoked.User.Roles);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var row = Assert.Single(grants.Users, u => u.User == user);
        Assert.Empty(row.Roles);
        Assert.Equal(1, row.Devices);
        Assert.Contains("viewer", grants.Roles);
        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        Assert.True(pages[^1].CaughtUp);
        Assert.Equal(["viewer"], (await console.GetAsync<GrantsView>("/api/grants")).Users.Single(u => u.User == user).Roles);
    }

    [Fact]
    public async Task Granting_a_role_the_configuration_does_not_have_is_a_clear_400_that_grants_nothing()
    {
        var user = Unique("gina");
        await relay.DeviceAsync(user, "viewer");
        using var console = await relay.SignedInAsync();

        var response = await console.SetGrantAsync(user, "admiral", granted: true);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no role 'admiral'", (await response.Content.ReadFromJsonAsync<ProblemView>(JsonSerializerOptions.Web))!.Error, StringComparison.Ordinal);
        Assert.Equal(["viewer"], (await console.GetAsync<GrantsView>("/api/grants")).Users.Single(u => u.User == user).Roles);
    }
}

public sealed class ConsoleScreenTestsOnSqlite(SqliteConsoleRelay relay) : ConsoleScreenTests(relay), IClassFixture<SqliteConsoleRelay>;

public sealed class ConsoleScreenTestsOnPostgres(PostgresConsoleRelay relay) : ConsoleScreenTests(relay), IClassFixture<PostgresConsoleRelay>;
