using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace CrdtSync.Cli.Tests;

/// <summary>A long-running command (<c>peer serve</c>) run in-process in the background; disposing it stops it as Ctrl+C would.</summary>
internal sealed class ServingCommand : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly LockedWriter _output = new();
    private readonly Task<int> _run;

    public ServingCommand(params string[] args) => _run = Task.Run(() => CliRun.RunAsync(_output, _stop.Token, args));

    public string Output => _output.Text;

    /// <summary>Waits until the output holds <paramref name="text"/> (or the command ended); the bound only keeps a broken build from hanging.</summary>
    public async Task WaitForAsync(string text)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_run.IsCompleted || DateTime.UtcNow > until)
            {
                Assert.Fail($"The command never printed '{text}'. It printed:{Environment.NewLine}{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the command and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>A free TCP port on <paramref name="address"/> now.</summary>
    public static int FreePort(string address)
    {
        var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }
    }
}
