using CrdtSync.Cli;
using CrdtSync.Cli.Commands;
using Spectre.Console;

namespace CrdtSync.Cli.Tests;

/// <summary>Runs <c>crdtsync</c> commands in-process and captures what they print.</summary>
internal sealed class CliRun : IDisposable
{
    public CliRun() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "crdtsync-cli-" + Guid.NewGuid().ToString("N"));

    public string Db(string name) => Path.Combine(Folder, name);

    public static string Samples => Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json");

    public async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var text = new StringWriter();
        var exit = await RunAsync(text, CancellationToken.None, args);
        return (exit, text.ToString());
    }

    /// <summary>Runs a command that prints to <paramref name="text"/> until it ends or <paramref name="cancellationToken"/> stops it (as Ctrl+C would).</summary>
    public static async Task<int> RunAsync(TextWriter text, CancellationToken cancellationToken, params string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(text),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var cli = new CliContext(console) { JsonOut = text };
        return await CliApp.RunAsync(cli, args, cancellationToken);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
