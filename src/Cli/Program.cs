using System.CommandLine;
using CrdtSync.Cli.Commands;
using Spectre.Console;

var cli = new CliContext(AnsiConsole.Console);
var root = new RootCommand("crdtsync: offline-first sync. Run a relay, work with replica files, or watch the demo.")
{
    RelayCommands.Create(cli),
    ReplicaCommands.Create(cli),
};
return await root.Parse(args).InvokeAsync();
