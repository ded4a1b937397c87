using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a CrdtSync replica in a service collection.</summary>
public static class ReplicaServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="ReplicaStore"/> (also as <see cref="IReplicaSync"/>), opened on first use from
    /// <see cref="ReplicaOptions"/>. Uses the registered <see cref="TimeProvider"/> (else the system clock) and
    /// <see cref="Random"/> (else a new one), and logging when registered.
    /// </summary>
    public static IServiceCollection AddCrdtSyncReplica(this IServiceCollection services, Action<ReplicaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ReplicaOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider => ReplicaStore.Open(
            provider.GetRequiredService<IOptions<ReplicaOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<Random>(),
            provider.GetService<ILogger<ReplicaStore>>()));
        services.TryAddSingleton<IReplicaSync>(provider => provider.GetRequiredService<ReplicaStore>());
        return services;
    }
}
