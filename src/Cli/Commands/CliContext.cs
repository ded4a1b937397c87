using System.CommandLine;
using CrdtSync.Cli.Input;
using CrdtSync.Crdt.Errors;
using CrdtSync.Replica;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Transport;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary>What every command shares: the console, the replica file option, and one place that turns errors into messages and exit codes.</summary>
internal sealed class CliContext(IAnsiConsole console)
{
    public IAnsiConsole Console { get; } = console;

    /// <summary>The file in a relay's data folder that holds its admin credential (written by the relay on first start).</summary>
    public const string AdminCredentialFileName = "admin-credential";

    /// <summary>Where <c>--json</c> output goes: plain text, never wrapped or styled.</summary>
    public TextWriter JsonOut { get; init; } = System.Console.Out;

    /// <summary>Writes one JSON document.</summary>
    public void WriteJson(System.Text.Json.Nodes.JsonNode? json) => JsonOut.WriteLine(Rendering.JsonViews.Write(json));

    /// <summary>The replica database file every <c>replica</c> subcommand works on.</summary>
    public Option<FileInfo> Database { get; } = new("--db")
    {
        Description = "The replica database file (SQLite). Also read from CRDTSYNC_REPLICA.",
        Recursive = true,
        DefaultValueFactory = _ => new FileInfo(Environment.GetEnvironmentVariable("CRDTSYNC_REPLICA") ?? "replica.db"),
    };

    /// <summary>Print machine-readable JSON instead of tables.</summary>
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON for scripts instead of tables." };

    /// <summary>A relay address from the command line: an absolute http:// or https:// URI.</summary>
    public static Uri ParseAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliUsageException($"'{text}' is not a relay address; write it like http://127.0.0.1:5290.");

    /// <summary>Opens an existing replica file; a missing file is a usage error that says how to make one.</summary>
    public ReplicaStore OpenReplica(ParseResult parse, bool mustExist = true)
    {
        var file = parse.GetValue(Database)!;
        file.Refresh();
        if (mustExist && !file.Exists)
        {
            throw new CliUsageException($"There is no replica at {file.FullName}. Create one with 'crdtsync replica init --db {file.Name} ...'.");
        }

        return ReplicaStore.Open(new ReplicaOptions { DatabasePath = file.FullName });
    }

    /// <summary>Runs a command body and maps expected failures to a message and an exit code.</summary>
    public async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliUsageException ex)
        {
            Console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 2;
        }
        catch (Exception ex) when (ex is ReplicaException or CrdtException or RelayTransportException or ArgumentException)
        {
            Console.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }
    }
}
