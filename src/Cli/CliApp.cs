using System.CommandLine;
using CrdtSync.Cli.Commands;

namespace CrdtSync.Cli;

/// <summary>The <c>crdtsync</c> command tree, built around a <see cref="CliContext"/> (so tests can run commands in-process).</summary>
internal static class CliApp
{
    public static RootCommand Build(CliContext cli) => new("crdtsync: offline-first sync. Run a relay, work with replica files, or watch the demo.")
    {
        RelayCommands.Create(cli),
        ReplicaCommands.Create(cli),
        DemoCommand.Create(cli),
    };

    public static Task<int> RunAsync(CliContext cli, string[] args, CancellationToken cancellationToken = default) =>
        Build(cli).Parse(args).InvokeAsync(cancellationToken: cancellationToken);
}
