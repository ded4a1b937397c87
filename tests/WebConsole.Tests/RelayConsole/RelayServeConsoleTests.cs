using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CrdtSync.WebConsole.Tests.Support;

namespace CrdtSync.WebConsole.Tests.RelayConsole;

/// <summary><c>crdtsync relay serve --console</c> run as a real process.</summary>
public sealed class RelayServeConsoleTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempFolder.Delete(_folder);
    }

    [Fact]
    public async Task Relay_serve_with_console_prints_the_console_address_and_serves_the_sign_in_there_until_stopped()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "CrdtSync.Cli.dll"), "relay", "serve", "--data", _folder, "--urls", "http://127.0.0.1:0",
            "--admin-credential", RelayConsoleStory.Credential, "--console", "--console-url", "http://127.0.0.1:0",
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            // The command prints the addresses it bound; the bound only stops a hang.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var printed = new List<string>();
            Uri? console = null;
            string? line;
            while (console is null && (line = await process.StandardOutput.ReadLineAsync(bound.Token)) is not null)
            {
                printed.Add(line);
                if (line.StartsWith("Relay console on http://127.0.0.1:", StringComparison.Ordinal))
                {
                    console = new Uri(line["Relay console on ".Length..].Split(' ')[0]);
                }
            }

            Assert.True(console is not null, "The command never printed the console's address: " + string.Join(Environment.NewLine, printed));
            Assert.Contains(printed, l => l.StartsWith("CrdtSync relay listening on http://127.0.0.1:", StringComparison.Ordinal) && !l.Contains($":{console.Port}/", StringComparison.Ordinal));
            using var http = new HttpClient { BaseAddress = console };
            Assert.Contains("<title>CrdtSync relay console</title>", await http.GetStringAsync("/", bound.Token), StringComparison.Ordinal);
            var signIn = await http.PostAsJsonAsync("/api/session", new { credential = RelayConsoleStory.Credential }, bound.Token);
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
