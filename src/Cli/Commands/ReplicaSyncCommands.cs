using System.CommandLine;
using System.Text.Json.Nodes;
using CrdtSync.Cli.Input;
using CrdtSync.Cli.Rendering;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Api;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary>The replica commands that talk to the relay: init, download, sync, status.</summary>
internal static class ReplicaSyncCommands
{
    public static IEnumerable<Command> Create(CliContext cli)
    {
        var relay = new Option<string>("--relay") { Description = "The relay's address, e.g. http://127.0.0.1:5290.", Required = true };
        var token = new Option<string>("--token") { Description = "The device token the relay's admin created ('crdtsync relay device create').", Required = true };
        var collections = new Option<string[]>("--collection", "-c") { Description = "Collections to download (repeat); default: every collection the user may read.", AllowMultipleArgumentsPerToken = true };

        var init = new Command("init", "Create a replica file for a device token and download its collections.") { relay, token, collections };
        init.SetAction((parse, ct) => cli.Run(async () =>
        {
            var file = parse.GetValue(cli.Database)!;
            if (file.Exists)
            {
                throw new CliUsageException($"{file.FullName} exists already.");
            }

            var link = new RelayLink(CliContext.ParseAddress(parse.GetValue(relay)!), parse.GetValue(token)!);
            var identity = await SyncClient.GetDeviceIdentityAsync(Options(link), ct);
            using (ReplicaStore.Open(new ReplicaOptions { DatabasePath = file.FullName, ReplicaId = identity.ReplicaId }))
            {
            }

            link.Save(file);
            cli.Console.MarkupLine($"Replica [bold]{identity.ReplicaId}[/] for {Markup.Escape(identity.User)} ({Markup.Escape(string.Join(", ", identity.Roles))}) at {Markup.Escape(file.FullName)}");
            return await DownloadAsync(cli, parse, parse.GetValue(collections) ?? [], ct);
        }));

        var collection = new Argument<string[]>("collection") { Description = "Collections to download; default: every collection the user may read.", Arity = ArgumentArity.ZeroOrMore };
        var download = new Command("download", "Download collections for offline use (with progress).") { collection };
        download.SetAction((parse, ct) => cli.Run(() => DownloadAsync(cli, parse, parse.GetValue(collection) ?? [], ct)));

        var sync = new Command("sync", "Sync all now: push the outbox, pull until caught up, and say what happened.") { cli.Json };
        sync.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            await using var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(Options(RelayLink.Load(parse.GetValue(cli.Database)!))));
            var report = await client.SyncAllAsync(ct);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(ReplicaJson.SyncReport(report));
                return 0;
            }

            cli.Console.MarkupLine($"Pushed {report.Pushed}: [green]{report.Accepted} accepted[/], {(report.Refused > 0 ? $"[orange1]{report.Refused} refused[/]" : "0 refused")}. Pulled {report.Pulled}; cursor {report.Cursor}{(report.CaughtUp ? ", caught up" : string.Empty)}.");
            if (report.Refused > 0)
            {
                ConsoleViews.Outbox(cli.Console, await replica.GetOutboxAsync(cancellationToken: ct));
            }

            return 0;
        }));

        var status = new Command("status", "Am I fully synced, and up to which point?") { cli.Json };
        status.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var counts = await replica.GetOutboxCountsAsync(ct);
            var subscriptions = await replica.GetSubscriptionsAsync(ct);
            var cursor = subscriptions.Count == 0 ? 0 : subscriptions.Min(s => s.Cursor);
            var caughtUp = subscriptions.Count > 0 && subscriptions.All(s => s.DownloadedAt is not null);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonObject
                {
                    ["replicaId"] = replica.ReplicaId.ToString(),
                    ["user"] = replica.Principal?.User,
                    ["offlineMode"] = replica.IsInOfflineMode,
                    ["pending"] = counts.Pending,
                    ["errors"] = counts.Errors,
                    ["cursor"] = cursor,
                    ["collections"] = new JsonArray([.. subscriptions.Select(s => (JsonNode)new JsonObject
                    {
                        ["collection"] = s.Collection.Text,
                        ["cursor"] = s.Cursor,
                        ["downloadedAt"] = s.DownloadedAt?.ToString("O"),
                    })]),
                });
                return 0;
            }

            ConsoleViews.OfflineBanner(cli.Console, replica.IsInOfflineMode);
            var synced = counts.Pending == 0 && counts.Errors == 0 && caughtUp;
            cli.Console.MarkupLine(synced
                ? $"[green]Fully synced[/] up to cursor {cursor} (as of the last sync)."
                : $"{counts.Pending} pending, {(counts.Errors > 0 ? $"[orange1]{counts.Errors} in error[/]" : "0 in error")}; cursor {cursor}.");
            foreach (var subscription in subscriptions)
            {
                var freshness = await replica.GetFreshnessAsync(subscription.Collection.Text, ct);
                cli.Console.MarkupLine($"  {Markup.Escape(subscription.Collection.Text)}: cursor {subscription.Cursor}, downloaded {(subscription.DownloadedAt is { } at ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")} ({freshness})");
            }

            return 0;
        }));

        return [init, download, sync, status];
    }

    private static async Task<int> DownloadAsync(CliContext cli, ParseResult parse, string[] collections, CancellationToken cancellationToken)
    {
        using var replica = cli.OpenReplica(parse);
        await using var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(Options(RelayLink.Load(parse.GetValue(cli.Database)!))));
        if (replica.Configuration is null)
        {
            // The handshake brings the configuration, which says which collections there are.
            await client.SyncAllAsync(cancellationToken);
        }

        var wanted = collections.Length > 0
            ? collections
            : replica.Configuration!.Collections.Keys.Where(c => replica.Principal is { } p && replica.Configuration.CanReadCollection(p, c)).Select(c => c.Text).ToArray();
        foreach (var name in wanted)
        {
            await replica.SubscribeAsync(name, cancellationToken: cancellationToken);
        }

        SyncReport report = null!;
        await cli.Console.Progress().AutoClear(false).StartAsync(async context =>
        {
            var task = context.AddTask($"Downloading {string.Join(", ", wanted)}", maxValue: 1);
            client.Progress += (_, progress) =>
            {
                if (progress.LogHead > 0)
                {
                    task.MaxValue = Math.Max(1, progress.LogHead);
                    task.Value = Math.Min(progress.Cursor, progress.LogHead);
                }
            };
            report = await client.SyncAllAsync(cancellationToken);
            task.Value = task.MaxValue;
        });
        cli.Console.MarkupLine($"Downloaded {report.Pulled} changes; cursor {report.Cursor}. Offline mode can start now.");
        return 0;
    }

    /// <summary>The sync client options of a replica file's relay link.</summary>
    internal static SyncClientOptions Options(RelayLink link) => new() { RelayAddress = link.Relay, Token = link.Token };
}
