using System.CommandLine;
using System.Diagnostics;
using CrdtSync.Cli.Input;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary><c>crdtsync replica --db F console [--urls ...] [--open-browser yes|no]</c>: the replica console in a browser (docs/console.md).</summary>
internal static class ConsoleCommand
{
    public static Command Create(CliContext cli)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen: loopback http only, ';'-separated; port 0 picks a free port.",
            DefaultValueFactory = _ => ReplicaConsoleOptions.DefaultUrls,
        };
        var openBrowser = new Option<string>("--open-browser") { Description = "Open the page in the default browser.", DefaultValueFactory = _ => "yes" };
        openBrowser.AcceptOnlyFromAmong("yes", "no");
        var command = new Command("console", "Serve the replica console on 127.0.0.1: records, outbox, offline mode and sync in a browser.") { urls, openBrowser };
        command.SetAction((parse, ct) => cli.Run(async () =>
        {
            var file = parse.GetValue(cli.Database)!;
            using var replica = cli.OpenReplica(parse);
            var link = File.Exists(RelayLink.PathFor(file)) ? RelayLink.Load(file) : null;
            await using var client = link is null
                ? null
                : new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(ReplicaSyncCommands.Options(link)));
            ReplicaConsoleHost host;
            try
            {
                host = await ReplicaConsoleHost.StartAsync(replica, client, new ReplicaConsoleOptions { Urls = parse.GetValue(urls)! },
                    builder => builder.Logging.SetMinimumLevel(LogLevel.Warning), ct);
            }
            catch (ConsoleAddressException exception)
            {
                throw new CliUsageException(exception.Message);
            }
            catch (IOException exception)
            {
                throw new CliUsageException($"The console cannot listen there: {exception.Message} Choose another port with --urls.");
            }

            await using (host)
            {
                if (client is not null)
                {
                    await client.StartAsync(ct);
                }

                cli.Console.MarkupLine($"Replica console for [bold]{Markup.Escape(file.Name)}[/] ({(link is null ? "no relay: local only" : "syncing with " + Markup.Escape(link.Relay.ToString()))}). Ctrl+C stops it.");
                cli.Console.WriteLine("Open " + host.Address);
                if (parse.GetValue(openBrowser) == "yes")
                {
                    Open(cli, host.Address);
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop serving.
                }
            }

            return 0;
        }));
        return command;
    }

    private static void Open(CliContext cli, Uri address)
    {
        try
        {
            using var _ = Process.Start(new ProcessStartInfo(address.ToString()) { UseShellExecute = true });
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            cli.Console.MarkupLine("[grey]No browser could be started here; open the address above yourself.[/]");
        }
    }
}
