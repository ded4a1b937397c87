using System.Diagnostics;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>The relay as a real child process (<c>dotnet CrdtSync.Relay.dll</c>), started on 127.0.0.1 port 0.</summary>
public sealed class RelayProcess : IDisposable
{
    private readonly Process _process;

    private RelayProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts the relay; <paramref name="extraArguments"/> are appended (e.g. <c>--store postgres --postgres ...</c>).</summary>
    public static async Task<RelayProcess> StartAsync(string dataDirectory, string adminCredential, params string[] extraArguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "CrdtSync.Relay.dll"),
            "--urls", "http://127.0.0.1:0",
            "--data", dataDirectory,
            "--admin-credential", adminCredential,
            "--config", Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"),
            .. extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the relay process.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            const string marker = "CrdtSync relay listening on ";
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                // Keep draining stdout so the child never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new RelayProcess(process, new Uri(line[marker.Length..].Trim()));
            }
        }

        throw new InvalidOperationException($"The relay process exited ({process.ExitCode}) before listening.");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }
}
