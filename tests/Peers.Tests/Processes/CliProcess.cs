using System.Diagnostics;
using System.Text;

namespace CrdtSync.Peers.Tests.Processes;

/// <summary>The <c>crdtsync</c> command line as a separate process (<c>dotnet CrdtSync.Cli.dll …</c>, the build beside the tests).</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CliProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrdtSync.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["COLUMNS"] = "250";
        var process = new Process { StartInfo = start };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, line) => cli.Append(line.Data);
        process.ErrorDataReceived += (_, line) => cli.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs a command to its end; fails the test with its output when it does not exit 0.</summary>
    public static async Task<string> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var cli = Start(environment, args);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await cli._process.WaitForExitAsync(bound.Token);
        Assert.True(cli._process.ExitCode == 0, $"crdtsync {string.Join(' ', args)} exited {cli._process.ExitCode}:{Environment.NewLine}{cli.Output}");
        return cli.Output;
    }

    /// <summary>Waits until the process printed <paramref name="text"/>; fails when it exits first (the bound keeps a broken build from hanging).</summary>
    public async Task WaitForAsync(string text)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > until)
            {
                Assert.Fail($"The process never printed '{text}' (exited: {_process.HasExited}). It printed:{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the process the hard way (the device is switched off): whatever it committed stays in its file.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
