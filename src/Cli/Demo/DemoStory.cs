using CrdtSync.Cli.Rendering;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CrdtSync.Cli.Demo;

/// <summary>
/// The story of <c>crdtsync demo</c>: a relay and two devices (Alice, Bob) on SQLite files in a temporary folder,
/// talking gRPC on 127.0.0.1. Each step narrates what happens, shows the outbox, and checks what the product
/// promises; a broken promise stops the demo with exit code 1.
/// </summary>
internal sealed class DemoStory(IAnsiConsole console, string folder) : IAsyncDisposable
{
    private readonly DemoClock _clock = new();
    private readonly string _configurationJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));
    private RelayHost? _relay;
    private Admin.AdminClient _admin = null!;
    private Uri _address = null!;
    private DemoDevice _alice = null!;
    private DemoDevice _bob = null!;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await SetUpAsync(cancellationToken);
        await Step1_DownloadThenGoOfflineAsync();
        await Step2_DifferentFieldsBothSurviveAsync();
        await Step3_SameFieldOneWinnerAndAJournalAsync();
        await Step4_ClosingWhatBobClosedIsAConflictAsync();
        await Step5_EditingWhatBobDeletedIsDeletedAsync();
        await Step6_RevokedWriteRightIsForbiddenAsync();
        await Step7_InvalidIsResolvedByEditingAsync(cancellationToken);
        await Step8_OnlineOnlyActionsWaitForTheNetworkAsync();
        await Step9_AnExpiredCacheRefusesOfflineModeAsync();
        await Step10_TheOutboxDrainsByItselfAsync(cancellationToken);
        console.Write(new Rule("[green]The end: every promise held[/]"));
    }

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        console.Write(new Rule("[bold]CrdtSync demo[/]"));
        await StartRelayAsync("http://127.0.0.1:0", _configurationJson, cancellationToken);
        console.MarkupLine($"A relay runs on [bold]{_address}[/] with SQLite in {Markup.Escape(folder)} and the incidents/tasks configuration.");
        var bob = await _relay!.CreateDeviceAsync("bob", ["lead"], cancellationToken: cancellationToken);
        var alice = await _relay.CreateDeviceAsync("alice", ["agent"], cancellationToken: cancellationToken);
        _bob = await DemoDevice.CreateAsync("bob", bob, _address, folder, _clock, cancellationToken);
        _alice = await DemoDevice.CreateAsync("alice", alice, _address, folder, _clock, cancellationToken);
        console.MarkupLine("Bob (a lead) and Alice (an agent) each have a device: a replica file and a sync client.");

        await _bob.Replica.CreateAsync("incidents", Fields(("title", "Pump 3 is leaking"), ("priority", 2L), ("assigned_to", "alice")), "inc-1", cancellationToken);
        await _bob.Replica.CreateAsync("incidents", Fields(("title", "Generator makes noise"), ("priority", 3L)), "inc-2", cancellationToken);
        await _bob.Replica.CreateAsync("incidents", Fields(("title", "Valve 7 sticks"), ("priority", 4L)), "inc-3", cancellationToken);
        await _bob.Replica.CreateAsync("tasks", Fields(("title", "Order a seal"), ("assigned_to", "alice")), "task-1", cancellationToken);
        await _bob.Client.SyncAllAsync(cancellationToken);
        console.MarkupLine("Bob files three incidents and a task, and syncs.");
    }

    private async Task Step1_DownloadThenGoOfflineAsync()
    {
        Step(1, "Alice and Bob download the incidents collection, then go offline");
        foreach (var device in new[] { _alice, _bob })
        {
            var report = await device.Client.SyncAllAsync();
            console.MarkupLine($"{device.Name} downloads: {report.Pulled} changes, caught up at cursor {report.Cursor}.");
            await device.Replica.EnterOfflineModeAsync();
        }

        ConsoleViews.OfflineBanner(console, true);
        ConsoleViews.Records(console, (await _alice.Replica.QueryAsync(new Replica.Api.RecordQuery(new CollectionName("incidents")))).Records, "Alice's incidents, offline");
        Check((await _alice.Replica.QueryAsync(new Replica.Api.RecordQuery(new CollectionName("incidents")))).Records.Count == 3, "Alice has all three incidents offline");
    }

    private async Task Step2_DifferentFieldsBothSurviveAsync()
    {
        Step(2, "Offline, both edit different fields of incident 1");
        await _alice.EditAsync("incidents", "inc-1", "description", Value.String("Seal worn through"));
        await _bob.EditAsync("incidents", "inc-1", "priority", Value.Int64(1));
        console.MarkupLine("Alice writes the description, Bob raises the priority. Both go online and sync.");
        await BothOnlineAndSyncedAsync();
        foreach (var device in new[] { _alice, _bob })
        {
            Check((await device.ReadAsync("incidents", "inc-1", "description")).ToString() == "Seal worn through" &&
                  (await device.ReadAsync("incidents", "inc-1", "priority")) == Value.Int64(1),
                $"{device.Name} has both edits");
        }
    }

    private async Task Step3_SameFieldOneWinnerAndAJournalAsync()
    {
        Step(3, "Offline, both edit the same field: one winner everywhere, the loser kept");
        await BothOfflineAsync();
        await _alice.EditAsync("incidents", "inc-1", "title", Value.String("Pump 3 leaks oil"));
        await _bob.EditAsync("incidents", "inc-1", "title", Value.String("Pump 3: oil leak"));
        await BothOnlineAndSyncedAsync();
        var alices = await _alice.GetAsync("incidents", "inc-1");
        var bobs = await _bob.GetAsync("incidents", "inc-1");
        ConsoleViews.Record(console, alices);
        Check(alices.State["title"] == bobs.State["title"], $"both show the same title: '{alices.State["title"]}'");
        Check(alices.State.Journal.Any(j => j.Field.Text == "title") || bobs.State.Journal.Any(j => j.Field.Text == "title"),
            "the overwritten title is in the conflict journal");
    }

    private async Task Step4_ClosingWhatBobClosedIsAConflictAsync()
    {
        Step(4, "Bob closes incident 1; Alice, offline, edits it and closes it too");
        await _alice.Replica.EnterOfflineModeAsync();
        await _bob.Replica.PerformActionAsync("incidents", "inc-1", "close");
        await _bob.Client.SyncAllAsync();
        console.MarkupLine("Bob closes incident 1 and syncs: the relay accepts it.");
        await _alice.EditAsync("incidents", "inc-1", "description", Value.String("Seal replaced"));
        await _alice.Replica.PerformActionAsync("incidents", "inc-1", "close");
        console.MarkupLine("Alice, offline, writes a description and closes incident 1 too. She goes online.");
        await OnlineAndSyncedAsync(_alice);
        ConsoleViews.Outbox(console, await _alice.Replica.GetOutboxAsync());
        var entry = await _alice.EntryAsync("incidents", "inc-1");
        Check(entry.Status == EntryStatus.Conflict && (entry.Message ?? string.Empty).Contains("bob", StringComparison.Ordinal),
            $"her close is a conflict: {entry.Message}");
        Check((await _alice.ReadAsync("incidents", "inc-1", "description")).ToString() == "Seal replaced", "her description edit was accepted");
        try
        {
            await _alice.EditAsync("incidents", "inc-1", "priority", Value.Int64(2));
            throw new DemoException("an edit of a locked record was accepted");
        }
        catch (RecordLockedException ex)
        {
            Check(true, $"the record is locked: {ex.Message}");
        }

        await _alice.Replica.DiscardAsync(entry.EntryId);
        var view = await _alice.GetAsync("incidents", "inc-1");
        Check(view.State["status"].ToString() == "closed" && view.State["closed_by"].ToString() == "bob", "after discard Alice sees the relay's view: closed by bob");
    }

    private async Task Step5_EditingWhatBobDeletedIsDeletedAsync()
    {
        Step(5, "Bob deletes incident 2; Alice, offline, edits it");
        await _alice.Replica.EnterOfflineModeAsync();
        await _bob.Replica.DeleteAsync("incidents", "inc-2");
        await _bob.Client.SyncAllAsync();
        await _alice.EditAsync("incidents", "inc-2", "priority", Value.Int64(5));
        await OnlineAndSyncedAsync(_alice);
        ConsoleViews.Outbox(console, await _alice.Replica.GetOutboxAsync());
        var entry = await _alice.EntryAsync("incidents", "inc-2");
        Check(entry.Status == EntryStatus.Deleted && !entry.IsResolvable, "her edit is 'deleted' (red): it can only be discarded");
        await _alice.Replica.DiscardAsync(entry.EntryId);
    }

    private async Task Step6_RevokedWriteRightIsForbiddenAsync()
    {
        Step(6, "An admin revokes Alice's write right on tasks while she is offline");
        await _alice.Replica.EnterOfflineModeAsync();
        await _alice.EditAsync("tasks", "task-1", "done", Value.Bool(true));
        await _alice.EditAsync("incidents", "inc-3", "description", Value.String("Valve freed with oil"));
        await _admin.RevokeRoleAsync(new RoleRequest { User = "alice", Role = "agent" });
        await _admin.GrantRoleAsync(new RoleRequest { User = "alice", Role = "responder" });
        console.MarkupLine("Alice marks task 1 done and edits incident 3, offline. Meanwhile the admin makes her a responder: incidents only.");
        await OnlineAndSyncedAsync(_alice);
        ConsoleViews.Outbox(console, await _alice.Replica.GetOutboxAsync());
        var entry = await _alice.EntryAsync("tasks", "task-1");
        Check(entry.Status == EntryStatus.Forbidden, "her task edit is 'forbidden' (red), still readable in the outbox");
        Check((await _alice.Replica.GetOutboxAsync("incidents", "inc-3")).Count == 0, "her incident edit synced all the same");
        await _alice.Replica.DiscardAsync(entry.EntryId);
    }

    private async Task Step7_InvalidIsResolvedByEditingAsync(CancellationToken cancellationToken)
    {
        Step(7, "A validation rule fails at the relay; Alice fixes the entry");
        await _alice.Replica.EnterOfflineModeAsync(cancellationToken);
        await _alice.EditAsync("incidents", "inc-3", "description", Value.String("The valve sticks because the spindle is bent; a new spindle is on order."));
        console.MarkupLine("While Alice is offline the operator restarts the relay with a stricter rule: descriptions are at most 40 characters.");
        await StopRelayAsync();
        await StartRelayAsync($"http://127.0.0.1:{_address.Port}", _configurationJson.Replace("\"maxLength\": 10000", "\"maxLength\": 40", StringComparison.Ordinal), cancellationToken);
        await OnlineAndSyncedAsync(_alice);
        ConsoleViews.Outbox(console, await _alice.Replica.GetOutboxAsync(cancellationToken: cancellationToken));
        var entry = await _alice.EntryAsync("incidents", "inc-3");
        Check(entry.Status == EntryStatus.Invalid && entry.IsResolvable, $"her edit is 'invalid' (orange): {entry.Message}");
        await _alice.Replica.ResolveAsync(entry.EntryId, new Dictionary<string, Value> { ["description"] = Value.String("Spindle bent; new one ordered.") }, cancellationToken);
        await _alice.Client.SyncAllAsync(cancellationToken);
        Check((await _alice.Replica.GetOutboxAsync(cancellationToken: cancellationToken)).Count == 0, "she shortens it, and the relay accepts it");
    }

    private async Task Step8_OnlineOnlyActionsWaitForTheNetworkAsync()
    {
        Step(8, "An online-only action is refused offline and hidden from the available actions");
        await _bob.Client.SyncAllAsync();
        await _bob.Replica.EnterOfflineModeAsync();
        var offline = await _bob.Replica.GetAvailableActionsAsync("incidents", "inc-1");
        Check(!offline.Any(a => a.Text == "reopen"), $"offline, Bob's actions on closed incident 1: [{string.Join(", ", offline)}] (no reopen)");
        try
        {
            await _bob.Replica.PerformActionAsync("incidents", "inc-1", "reopen");
            throw new DemoException("an online-only action was accepted offline");
        }
        catch (ActionNotAvailableException ex)
        {
            Check(true, $"reopen is refused: {ex.Message}");
        }

        await OnlineAndSyncedAsync(_bob);
        var online = await _bob.Replica.GetAvailableActionsAsync("incidents", "inc-1");
        Check(online.Any(a => a.Text == "reopen"), "online again, reopen is offered");
    }

    private async Task Step9_AnExpiredCacheRefusesOfflineModeAsync()
    {
        Step(9, "The cache expires: offline mode refuses to start until a fresh download");
        _clock.Advance(TimeSpan.FromDays(8));
        console.MarkupLine("Eight days pass (the configuration keeps a cache fresh for 7 days).");
        try
        {
            await _alice.Replica.EnterOfflineModeAsync();
            throw new DemoException("offline mode started on an expired cache");
        }
        catch (CacheExpiredException ex)
        {
            Check(true, $"offline mode is refused: {ex.Message}");
        }

        await _alice.Client.SyncAllAsync();
        await _alice.Replica.EnterOfflineModeAsync();
        Check(_alice.Replica.IsInOfflineMode, "after a fresh download, offline mode starts");
        await _alice.Replica.LeaveOfflineModeAsync();
    }

    private async Task Step10_TheOutboxDrainsByItselfAsync(CancellationToken cancellationToken)
    {
        Step(10, "The relay stops while Alice keeps editing, then comes back");
        var before = await _admin.GetLogInfoAsync(new GetLogInfoRequest(), cancellationToken: cancellationToken);
        await StopRelayAsync();
        console.MarkupLine("The relay is down. Alice keeps working:");
        for (var i = 1; i <= 3; i++)
        {
            await _alice.EditAsync("incidents", "inc-3", "priority", Value.Int64(i));
        }

        ConsoleViews.Outbox(console, await _alice.Replica.GetOutboxAsync(cancellationToken: cancellationToken));
        await StartRelayAsync($"http://127.0.0.1:{_address.Port}", _configurationJson, cancellationToken);
        console.MarkupLine("The relay is back. Nobody presses anything...");
        await Eventually(async () => (await _alice.Client.GetStatusAsync()).IsFullySynced, "Alice's outbox drains by itself");
        var after = await _admin.GetLogInfoAsync(new GetLogInfoRequest(), cancellationToken: cancellationToken);
        Check(after.LogHead - before.LogHead == 3, $"the relay logged each of the 3 changes once (log {before.LogHead} → {after.LogHead})");
        await Eventually(async () => (await _bob.ReadAsync("incidents", "inc-3", "priority")) == Value.Int64(3), "Bob sees her last edit");
    }

    private async Task BothOfflineAsync()
    {
        await _alice.Replica.EnterOfflineModeAsync();
        await _bob.Replica.EnterOfflineModeAsync();
    }

    private async Task BothOnlineAndSyncedAsync()
    {
        await OnlineAndSyncedAsync(_alice);
        await OnlineAndSyncedAsync(_bob);
        await _alice.Client.SyncAllAsync();
    }

    private static async Task OnlineAndSyncedAsync(DemoDevice device)
    {
        if (device.Replica.IsInOfflineMode)
        {
            await device.Replica.LeaveOfflineModeAsync();
        }

        await device.Client.SyncAllAsync();
    }

    private async Task StartRelayAsync(string urls, string configurationJson, CancellationToken cancellationToken)
    {
        _relay = await RelayHost.StartAsync(
            new RelayOptions { Urls = urls, DataDirectory = Path.Combine(folder, "relay"), ConfigurationJson = configurationJson },
            builder =>
            {
                builder.Logging.ClearProviders();
                // Stopping the relay closes the devices' live streams at once instead of waiting for them.
                builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(1));
                builder.Services.AddSingleton<TimeProvider>(_clock);
            },
            cancellationToken);
        _address = _relay.Address;
        _admin = new Admin.AdminClient(RelayChannels.ForAddress(_address, _relay.AdminCredential));
    }

    private async Task StopRelayAsync()
    {
        if (_relay is { } relay)
        {
            _relay = null;
            await relay.DisposeAsync();
        }
    }

    private void Step(int number, string title)
    {
        console.WriteLine();
        console.Write(new Rule($"[bold]Step {number}[/]: {Markup.Escape(title)}").LeftJustified());
    }

    private void Check(bool holds, string what)
    {
        if (!holds)
        {
            throw new DemoException(what);
        }

        console.MarkupLine($"[green]✓[/] {Markup.Escape(what)}");
    }

    private async Task Eventually(Func<Task<bool>> condition, string what)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (await condition())
            {
                Check(true, what);
                return;
            }

            await Task.Delay(50);
        }

        throw new DemoException(what + " (still not after 30 s)");
    }

    private static Dictionary<string, Value> Fields(params (string Name, object Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value switch
        {
            long number => Value.Int64(number),
            bool flag => Value.Bool(flag),
            _ => Value.String((string)f.Value),
        });

    public async ValueTask DisposeAsync()
    {
        if (_alice is not null)
        {
            await _alice.DisposeAsync();
        }

        if (_bob is not null)
        {
            await _bob.DisposeAsync();
        }

        await StopRelayAsync();
    }
}
