using System.CommandLine;
using Spectre.Console;
using CrdtSync.Cli.Input;
using CrdtSync.Replica;

namespace CrdtSync.Cli.Commands;

/// <summary><c>crdtsync replica …</c>: everything done on one replica file (<c>--db</c>).</summary>
internal static class ReplicaCommands
{
    public static Command Create(CliContext cli)
    {
        var replica = new Command("replica", "Work with a replica file: init, download, write, read, the outbox, sync.") { cli.Database };
        replica.Subcommands.Add(InitLocal(cli));
        replica.Subcommands.Add(PeerCommands.Create(cli));
        replica.Subcommands.Add(ConsoleCommand.Create(cli));
        foreach (var command in ReplicaSyncCommands.Create(cli).Concat(ReplicaLocalCommands.Create(cli)))
        {
            replica.Subcommands.Add(command);
        }

        return replica;
    }

    /// <summary><c>init</c> without a relay: a standalone replica with a configuration file, a user and roles.</summary>
    private static Command InitLocal(CliContext cli)
    {
        var config = new Option<FileInfo>("--config") { Description = "The configuration file (e.g. samples/incidents.json).", Required = true };
        var user = new Option<string>("--user") { Description = "Who works on this device.", Required = true };
        var roles = new Option<string[]>("--role") { Description = "The user's roles (repeat).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("init-local", "Create a standalone replica file with a configuration (no relay).") { config, user, roles };
        command.SetAction((parse, ct) => cli.Run(async () =>
        {
            var file = parse.GetValue(cli.Database)!;
            if (file.Exists)
            {
                throw new CliUsageException($"{file.FullName} exists already.");
            }

            using var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = file.FullName });
            await store.ConfigureAsync(await File.ReadAllTextAsync(parse.GetValue(config)!.FullName, ct), parse.GetValue(user)!, parse.GetValue(roles) ?? [], ct);
            cli.Console.MarkupLine($"Replica [bold]{store.ReplicaId}[/] created at {Spectre.Console.Markup.Escape(file.FullName)}");
            return 0;
        }));
        return command;
    }
}
