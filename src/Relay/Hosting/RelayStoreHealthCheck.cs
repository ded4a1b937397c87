using CrdtSync.Relay.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrdtSync.Relay.Hosting;

/// <summary>Healthy when the store answers a read.</summary>
internal sealed class RelayStoreHealthCheck(IRelayStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.GetLogInfoAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.");
        }
    }
}
