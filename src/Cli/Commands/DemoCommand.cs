using System.CommandLine;
using CrdtSync.Cli.Demo;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary><c>crdtsync demo</c>: a relay and two devices on loopback play the offline story, narrated.</summary>
internal static class DemoCommand
{
    public static Command Create(CliContext cli)
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary folder (relay data and replica files) afterwards." };
        var demo = new Command("demo", "Watch the offline story: a relay and two replicas on SQLite, talking gRPC on 127.0.0.1.") { keep };
        demo.SetAction(async (parse, ct) =>
        {
            var folder = Path.Combine(Path.GetTempPath(), "crdtsync-demo-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            try
            {
                await using var story = new DemoStory(cli.Console, folder);
                await story.RunAsync(ct);
                return 0;
            }
            catch (Exception ex) when (ex is DemoException or Replica.Errors.ReplicaException or Crdt.Errors.CrdtException or Replica.Transport.RelayTransportException)
            {
                cli.Console.MarkupLine($"[red]The demo stopped: {Markup.Escape(ex.Message)}[/]");
                return 1;
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                if (parse.GetValue(keep))
                {
                    cli.Console.MarkupLine($"[grey]Files kept in {Markup.Escape(folder)}[/]");
                }
                else
                {
                    try
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        });
        return demo;
    }
}
