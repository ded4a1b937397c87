using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Storage;
using Grpc.Core;
using CrdtSync.WebConsole.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrdtSync.WebConsole.Tests.RelayConsole;

/// <summary>The relay console in headless Chromium against a real relay with real replicas syncing on loopback.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class RelayConsoleBrowserTests(Chromium chromium)
{
    private static async Task SignInAsync(IPage page, string url, string credential)
    {
        await page.GotoAsync(url);
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        await page.FillAsync("#credential", credential);
        await page.PressAsync("#credential", "Enter");
    }

    [Fact]
    public async Task Signed_in_the_operator_sees_the_devices_and_the_outcomes_after_replicas_synced_and_moves_between_screens_by_keyboard()
    {
        await using var story = await RelayConsoleStory.StartAsync();
        var (alice, aliceSync, aliceCredential) = await story.DeviceAsync("alice", "agent");
        var (_, _, bobCredential) = await story.DeviceAsync("bob", "lead");
        await alice.CreateAsync("incidents", RelayConsoleStory.Title("Pump 3 leaks"));
        await alice.CreateAsync("incidents", RelayConsoleStory.Title("Gate 2 stuck"));
        await aliceSync.SyncAllAsync();
        var page = await chromium.NewPageAsync(Chromium.Desktop);
        try
        {
            await SignInAsync(page, story.ConsoleUrl, RelayConsoleStory.Credential);

            var aliceRow = page.Locator($"#devices tr[data-replica='{aliceCredential.Replica}']");
            var bobRow = page.Locator($"#devices tr[data-replica='{bobCredential.Replica}']");
            await Assertions.Expect(aliceRow.Locator("td[data-label='Behind']")).ToHaveTextAsync("0");
            await Assertions.Expect(aliceRow.Locator("td[data-label='Status']")).ToHaveTextAsync("caught up");
            await Assertions.Expect(bobRow.Locator("td[data-label='Behind']")).ToHaveTextAsync("2");
            await Assertions.Expect(bobRow.Locator("td[data-label='Status']")).ToHaveTextAsync("behind");
            await Assertions.Expect(bobRow.Locator("td[data-label='Last handshake']")).Not.ToHaveTextAsync("never");
            await Screenshots.SaveAsync(page, "relay-console-devices");

            await page.FocusAsync("#tab-devices");
            await page.Keyboard.PressAsync("ArrowRight");
            await Assertions.Expect(page.Locator("#tab-outcomes")).ToBeFocusedAsync();
            await Assertions.Expect(page.Locator("#tab-outcomes")).ToHaveAttributeAsync("aria-selected", "true");
            await Assertions.Expect(page.Locator("#outcomes tr[data-kind='accepted'] td[data-label='Changes']")).ToHaveTextAsync("2");
            await Assertions.Expect(page.Locator("#outcomes tr[data-kind='conflict'] td[data-label='Changes']")).ToHaveTextAsync("0");
            await Assertions.Expect(page.Locator("#outcomes-window")).ToContainTextAsync("2 changes decided");
            await Screenshots.SaveAsync(page, "relay-console-outcomes");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Looking_up_a_record_shows_the_title_that_lost_to_a_concurrent_edit_in_its_journal()
    {
        await using var story = await RelayConsoleStory.StartAsync();
        var (alice, aliceSync, _) = await story.DeviceAsync("alice", "agent");
        var (bob, bobSync, _) = await story.DeviceAsync("bob", "agent");
        await alice.CreateAsync("incidents", RelayConsoleStory.Title("Pump 3 leaks"), "inc-7");
        await aliceSync.SyncAllAsync();
        await bobSync.SyncAllAsync();
        await bob.UpdateAsync("incidents", "inc-7", RelayConsoleStory.Title("Pump 3 leaks badly"));
        await alice.UpdateAsync("incidents", "inc-7", RelayConsoleStory.Title("Pump 3 fixed"));
        await bobSync.SyncAllAsync();
        await aliceSync.SyncAllAsync();
        var record = await story.Host.Services.GetRequiredService<IRelayStore>().GetRecordAsync(new("incidents"), new("inc-7"), CancellationToken.None);
        var lost = Assert.Single(record!.State.Journal).Value.ToString();
        var page = await chromium.NewPageAsync(Chromium.Desktop);
        try
        {
            await SignInAsync(page, story.ConsoleUrl, RelayConsoleStory.Credential);
            await page.ClickAsync("#tab-journal");
            await page.FillAsync("#journal-collection", "incidents");
            await page.FillAsync("#journal-id", "inc-7");
            await page.PressAsync("#journal-id", "Enter");

            await Assertions.Expect(page.Locator("#journal-summary")).ToHaveTextAsync("incidents/inc-7: 1 journal entry.");
            await Assertions.Expect(page.Locator("#journal tbody td[data-label='Value']")).ToHaveTextAsync(lost);
            await Assertions.Expect(page.Locator("#journal tbody td[data-label='Field']")).ToHaveTextAsync("title");
            await Screenshots.SaveAsync(page, "relay-console-journal");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Revoking_a_grant_removes_the_role_and_the_devices_next_pull_is_refused()
    {
        await using var story = await RelayConsoleStory.StartAsync();
        var (_, _, frank) = await story.DeviceAsync("frank", "viewer");
        using var channel = RelayChannels.ForAddress(story.Host.Address, frank.Token);
        var sync = new Sync.SyncClient(channel);
        var pull = new PullRequest { Subscriptions = { new Subscription { Collection = "incidents" } } };
        Assert.True((await sync.PullAsync(pull)).CaughtUp);
        var page = await chromium.NewPageAsync(Chromium.Desktop);
        try
        {
            await SignInAsync(page, story.ConsoleUrl, RelayConsoleStory.Credential);
            await page.ClickAsync("#tab-grants");
            var row = page.Locator("#grants tr[data-user='frank']");
            await Assertions.Expect(row.Locator("td[data-label='Roles']")).ToContainTextAsync("viewer");

            await page.GetByRole(AriaRole.Button, new() { Name = "Revoke viewer from frank" }).ClickAsync();

            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Role viewer revoked from frank.");
            await Assertions.Expect(row.Locator("td[data-label='Roles']")).ToHaveTextAsync("none");
            await Screenshots.SaveAsync(page, "relay-console-grants");
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        Assert.Empty(await story.Host.Services.GetRequiredService<IRelayStore>().GetRolesAsync("frank", CancellationToken.None));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await sync.PullAsync(pull));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task A_wrong_credential_on_a_phone_is_refused_with_a_readable_message_and_no_screens()
    {
        await using var story = await RelayConsoleStory.StartAsync();
        var page = await chromium.NewPageAsync(Chromium.Phone);
        try
        {
            await SignInAsync(page, story.ConsoleUrl, "csa_not-the-credential");

            await Assertions.Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("That is not the admin credential.");
            await Assertions.Expect(page.Locator("#console")).ToBeHiddenAsync();
            var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
            Assert.True(width <= Chromium.Phone.Width, $"The sign-in page is {width} px wide on a {Chromium.Phone.Width} px phone.");
            await Screenshots.SaveAsync(page, "relay-console-phone-wrong-credential");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
