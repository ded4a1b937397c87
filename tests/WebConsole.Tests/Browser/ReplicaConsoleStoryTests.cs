using CrdtSync.Crdt.Values;
using CrdtSync.WebConsole.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CrdtSync.WebConsole.Tests.Browser;

/// <summary>
/// The seed story in the browser: a relay and two replica consoles on loopback (Bob a lead on a desktop screen, Alice an
/// agent on a phone), driven only through their pages.
/// </summary>
[Collection(ChromiumCollection.Name)]
public sealed class ReplicaConsoleStoryTests(Chromium chromium) : IAsyncLifetime
{
    private LoopbackRelay _relay = null!;
    private ConsoleDevice _bob = null!;

    public async Task InitializeAsync()
    {
        _relay = await LoopbackRelay.StartAsync();
        _bob = await ConsoleDevice.ForRelayAsync(_relay, await _relay.CreateDeviceAsync("bob", "lead"));
        await _bob.DownloadAsync();
        await _bob.Replica.CreateAsync("incidents", Fields(("title", Value.String("Pump 3 is leaking")), ("priority", Value.Int64(2))), "inc-1");
        await _bob.Replica.CreateAsync("incidents", Fields(("title", Value.String("Generator makes noise")), ("priority", Value.Int64(3))), "inc-2");
        await _bob.Replica.CreateAsync("tasks", Fields(("title", Value.String("Order a seal")), ("assigned_to", Value.String("alice"))), "task-1");
        await _bob.Client!.SyncAllAsync();
    }

    public async Task DisposeAsync()
    {
        await _bob.DisposeAsync();
        await _relay.DisposeAsync();
    }

    private static Dictionary<string, Value> Fields(params (string Name, Value Value)[] fields) => fields.ToDictionary(f => f.Name, f => f.Value);

    [Fact]
    public async Task Alice_offline_closes_what_Bob_closed_sees_it_turn_orange_and_discarding_shows_the_relays_value()
    {
        await using var alice = await ConsoleDevice.ForRelayAsync(_relay, await _relay.CreateDeviceAsync("alice", "agent"));
        await using var alicePage = await ConsolePage.OpenAsync(chromium, alice.Address, Chromium.Phone, "phone");
        await using var bobPage = await ConsolePage.OpenAsync(chromium, _bob.Address, Chromium.Desktop, "desktop");

        // Alice has no offline cache yet: going offline asks to download it first.
        await alicePage.ToggleOfflineAsync();
        var cacheDialog = alicePage.Page.Locator("#cache-dialog");
        await Expect(cacheDialog).ToBeVisibleAsync();
        await alicePage.ScreenshotAsync("cache-prompt");
        await cacheDialog.GetByRole(AriaRole.Button, new() { Name = "Download and go offline" }).ClickAsync();
        await Expect(alicePage.Banner).ToBeVisibleAsync();
        await Expect(alicePage.Banner).ToContainTextAsync("Offline Mode");
        await Expect(alicePage.Record("incidents", "inc-1")).ToHaveAttributeAsync("data-status", "synced");

        // Offline, she edits incident 1: it turns green (pending).
        await alicePage.EditAsync("incidents", "inc-1", ("description", "Seal worn through"));
        await Expect(alicePage.Record("incidents", "inc-1")).ToHaveAttributeAsync("data-status", "pending");
        await Expect(alicePage.Field("incidents", "inc-1", "description")).ToHaveTextAsync("Seal worn through");
        await alicePage.ScreenshotAsync("offline-pending");

        // Bob, online, closes it first.
        await bobPage.ActAsync("incidents", "inc-1", "close");
        await Expect(bobPage.Field("incidents", "inc-1", "closed_by")).ToHaveTextAsync("bob");
        await Expect(bobPage.Record("incidents", "inc-1")).ToHaveAttributeAsync("data-status", "synced");
        await bobPage.ScreenshotAsync("records");

        // Alice closes it too, offline: her close is queued, and reopen (online-only) is not offered.
        await alicePage.ActAsync("incidents", "inc-1", "close");
        await Expect(alicePage.Field("incidents", "inc-1", "closed_by")).ToHaveTextAsync("alice");
        await Expect(alicePage.Record("incidents", "inc-1").Locator("button[data-action='reopen']")).ToHaveCountAsync(0);
        await Expect(alicePage.Entry("incidents", "inc-1")).ToHaveCountAsync(2);

        // Back online: the edit is accepted, the close is refused as a conflict and the record turns orange.
        await alicePage.ToggleOfflineAsync();
        await Expect(alicePage.Banner).ToBeHiddenAsync();
        await Expect(alicePage.Record("incidents", "inc-1")).ToHaveAttributeAsync("data-status", "conflict");
        var entry = alicePage.Entry("incidents", "inc-1");
        await Expect(entry).ToHaveAttributeAsync("data-status", "conflict");
        await Expect(entry).ToContainTextAsync("bob");
        await alicePage.ScreenshotAsync("conflict");

        // Resolve shows her values next to the relay's.
        await entry.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        var resolve = alicePage.Page.Locator("#resolve-dialog");
        await Expect(resolve).ToBeVisibleAsync();
        var closedBy = resolve.Locator("tr[data-field='closed_by']");
        await Expect(closedBy.Locator("td.mine")).ToHaveTextAsync("alice");
        await Expect(closedBy.Locator("td.relay")).ToHaveTextAsync("bob");
        await alicePage.ScreenshotAsync("resolve");

        // She discards her close: the record shows the relay's value, and her accepted edit stays.
        await resolve.GetByRole(AriaRole.Button, new() { Name = "Discard mine, keep the relay's" }).ClickAsync();
        await Expect(resolve).ToBeHiddenAsync();
        await Expect(alicePage.Record("incidents", "inc-1")).ToHaveAttributeAsync("data-status", "synced");
        await Expect(alicePage.Field("incidents", "inc-1", "closed_by")).ToHaveTextAsync("bob");
        await Expect(alicePage.Field("incidents", "inc-1", "description")).ToHaveTextAsync("Seal worn through");
        await Expect(alicePage.Page.Locator("#outbox-empty")).ToBeVisibleAsync();
        await alicePage.ScreenshotAsync("resolved");

        // Bob's page got her edit live, without a reload.
        await Expect(bobPage.Field("incidents", "inc-1", "description")).ToHaveTextAsync("Seal worn through");
    }

    [Fact]
    public async Task A_revocation_turns_Alices_task_entry_red_and_Sync_all_drains_the_rest_of_the_outbox()
    {
        // Alice's client syncs only when she asks: Sync all is what drains her outbox.
        await using var alice = await ConsoleDevice.ForRelayAsync(_relay, await _relay.CreateDeviceAsync("alice", "agent"), syncInBackground: false);
        await alice.DownloadAsync();
        await alice.Replica.EnterOfflineModeAsync();
        await using var phone = await ConsolePage.OpenAsync(chromium, alice.Address, Chromium.Phone, "phone");
        await Expect(phone.Banner).ToBeVisibleAsync();
        await Expect(phone.Page.Locator("#sync-all")).ToBeDisabledAsync();

        await phone.EditAsync("tasks", "task-1", ("done", "true"));
        await phone.EditAsync("incidents", "inc-2", ("description", "Bearing noise"), ("priority", "4"));
        await Expect(phone.Record("tasks", "task-1")).ToHaveAttributeAsync("data-status", "pending");
        await Expect(phone.Record("incidents", "inc-2")).ToHaveAttributeAsync("data-status", "pending");
        await Expect(phone.Page.Locator("#outbox-count")).ToHaveTextAsync("2");

        // Meanwhile the admin takes the agent role away: a responder may not touch tasks.
        await _relay.ChangeRoleAsync("alice", revoke: "agent", grant: "responder");

        await phone.ToggleOfflineAsync();
        await Expect(phone.Banner).ToBeHiddenAsync();
        await phone.Page.Locator("#sync-all").ClickAsync();
        await Expect(phone.Page.Locator("#sync-message")).ToContainTextAsync("Synced");
        var task = phone.Entry("tasks", "task-1");
        await Expect(task).ToHaveAttributeAsync("data-status", "error");
        await Expect(task.GetByRole(AriaRole.Button, new() { Name = "Resolve" })).ToHaveCountAsync(0);
        await Expect(phone.Entry("incidents", "inc-2")).ToHaveCountAsync(0);
        await Expect(phone.Record("incidents", "inc-2")).ToHaveAttributeAsync("data-status", "synced");
        await Expect(phone.Page.Locator("#outbox-count")).ToHaveTextAsync("1");
        await phone.ScreenshotAsync("revoked");

        await task.GetByRole(AriaRole.Button, new() { Name = "Discard entry", Exact = false }).ClickAsync();
        await Expect(phone.Page.Locator("#outbox-empty")).ToBeVisibleAsync();
        await Expect(phone.Page.Locator("#outbox-count")).ToHaveTextAsync("0");
        await Expect(phone.Page.Locator(".collection[data-collection='tasks']")).ToHaveCountAsync(0);

        await using var desktop = await ConsolePage.OpenAsync(chromium, alice.Address, Chromium.Desktop, "desktop");
        await desktop.ScreenshotAsync("drained");
        var atRelay = await _relay.Admin.GetRecordAsync(new Protocol.V1.GetRecordRequest { Collection = "incidents", RecordId = "inc-2" });
        Assert.Equal("Bearing noise", Crdt.Encoding.RecordStateCodec.Decode(atRelay.State.ToByteArray())[new FieldName("description")].AsString);
    }
}
