using System.Diagnostics;
using System.Text.Json.Nodes;
using CrdtSync.Replica;
using CrdtSync.WebConsole.Tests.Support;

namespace CrdtSync.WebConsole.Tests.Cli;

/// <summary><c>crdtsync replica --db F console</c> run as a real process.</summary>
public sealed class ConsoleCommandTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.Delete(_folder);
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrdtSync.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [Fact]
    public async Task The_console_command_serves_the_page_and_the_api_of_the_replica_file_until_stopped()
    {
        var db = Path.Combine(_folder, "ana.db");
        using (var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = db }))
        {
            await replica.ConfigureAsync(LoopbackRelay.SampleJson, "ana", ["lead"]);
        }

        using var process = Start("replica", "--db", db, "console", "--urls", "http://127.0.0.1:0", "--open-browser", "no");
        try
        {
            // The command prints the address it bound; the bound only stops a hang.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var printed = new List<string>();
            string? line;
            Uri? address = null;
            while (address is null && (line = await process.StandardOutput.ReadLineAsync(bound.Token)) is not null)
            {
                printed.Add(line);
                if (line.StartsWith("Open http://127.0.0.1:", StringComparison.Ordinal))
                {
                    address = new Uri(line["Open ".Length..].Trim());
                }
            }

            Assert.True(address is not null, "The command never printed its address: " + string.Join(Environment.NewLine, printed));
            using var client = await ConsoleClient.ConnectAsync(address);
            var page = await client.Http.GetStringAsync("/", bound.Token);
            Assert.Contains("<title>CrdtSync replica console</title>", page, StringComparison.Ordinal);
            var state = await client.GetJsonAsync("/api/state");
            Assert.Equal("ana", (string?)state["user"]);
            Assert.Equal("no_relay", (string?)state["sync"]!["state"]);
            await client.OkAsync(HttpMethod.Post, "/api/collections/incidents/records", new JsonObject { ["id"] = "inc-1", ["fields"] = new JsonObject { ["title"] = "Pump" } });
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        using var reopened = ReplicaStore.Open(new ReplicaOptions { DatabasePath = db });
        Assert.NotNull(await reopened.GetAsync("incidents", "inc-1"));
    }

    [Fact]
    public async Task The_console_command_refuses_an_address_that_is_not_loopback_with_a_usage_error()
    {
        var db = Path.Combine(_folder, "ana.db");
        using (var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = db }))
        {
            await replica.ConfigureAsync(LoopbackRelay.SampleJson, "ana", ["lead"]);
        }

        using var process = Start("replica", "--db", db, "console", "--urls", "http://0.0.0.0:0", "--open-browser", "no");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("loopback", output, StringComparison.Ordinal);
    }
}
