using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Relay.Hosting;

/// <summary>Opens the store, loads the relay's identity and clock, and says where the admin credential is, before the server accepts calls.</summary>
internal sealed class RelayStartup(
    IRelayStore store,
    RelayClock clock,
    RelaySyncConfiguration configuration,
    TimeProvider time,
    AdminCredential adminCredential,
    RelayMetrics metrics,
    ILogger<RelayStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var identity = await store.InitializeAsync(RandomReplicaId.Create, cancellationToken).ConfigureAwait(false);
        clock.Initialize(identity.ReplicaId, identity.Clock.LastTime, time, configuration.Rules.ClockSkewMax);
        var info = await store.GetLogInfoAsync(cancellationToken).ConfigureAwait(false);
        metrics.LogLength(info.Length);
        logger.LogInformation("Relay {Relay} ready: log head {Head}, {Length} entries, {Collections} collections",
            identity.ReplicaId, info.Head, info.Length, configuration.Rules.Collections.Count);
        if (adminCredential.FilePath is { } path)
        {
            logger.LogWarning("Admin credential is in {AdminCredentialPath}", path);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
