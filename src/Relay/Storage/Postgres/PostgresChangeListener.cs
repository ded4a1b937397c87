using CrdtSync.Relay.Authority;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// Fan-out across relay instances: LISTENs on the store's channels on a dedicated connection and wakes this instance's
/// live subscribers whenever any instance commits to the log (or changes devices or roles). A notification only wakes;
/// subscribers then read the log from their cursor, so a lost or duplicated notification loses nothing (and the
/// subscribers' periodic re-check bounds the delay if the connection drops). After a reconnect it wakes everyone once.
/// </summary>
/// <remarks>Registered always; does nothing unless the relay's store is a <see cref="PostgresRelayStore"/>.</remarks>
internal sealed class PostgresChangeListener(IRelayStore relayStore, ChangeFeed feed, ILogger<PostgresChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (relayStore is not PostgresRelayStore store)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await store.DataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, notification) =>
                {
                    if (notification.Channel == PostgresChannels.Access)
                    {
                        feed.PublishAccessChange();
                    }
                    else
                    {
                        feed.PublishCommit();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresChannels.Log}; LISTEN {PostgresChannels.Access};", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                // Whatever was committed while not listening is read by the subscribers this wakes.
                feed.PublishAccessChange();
                delay = TimeSpan.FromMilliseconds(100);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning(error, "Lost the PostgreSQL notification connection; reconnecting in {Delay}", delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
