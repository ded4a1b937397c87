using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>While the console is enabled, writes the noted activity to the store every <see cref="RelayConsoleOptions.ActivityFlushInterval"/> and once more when the relay stops.</summary>
internal sealed class ConsoleActivityFlusher(
    ConsoleActivity activity,
    IRelayStore store,
    IOptions<RelayOptions> relayOptions,
    IOptions<RelayConsoleOptions> consoleOptions,
    TimeProvider time,
    ILogger<ConsoleActivityFlusher> logger) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (relayOptions.Value.Console)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!relayOptions.Value.Console)
        {
            return;
        }

        using var timer = new PeriodicTimer(consoleOptions.Value.ActivityFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The relay is stopping; StopAsync writes what is left.
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await activity.FlushAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not write the console's device activity and outcome counts; they are kept for the next attempt");
        }
    }
}
