using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Services;
using CrdtSync.Relay.Storage;
using CrdtSync.Relay.Storage.Postgres;
using CrdtSync.Relay.Storage.Sqlite;
using CrdtSync.Relay.WebConsole;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of what they extend, so one using finds them.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the CrdtSync relay.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the relay: its options, sync configuration, store (unless an <see cref="IRelayStore"/> is already
    /// registered: the embedded SQLite store, or PostgreSQL when <see cref="RelayOptions.Store"/> says so), authority, gRPC services with their interceptors and limits,
    /// reflection, health checks, metrics and the relay console's services (served only by <c>RelayHost</c>, when enabled). Map the endpoints with <c>app.MapCrdtSyncRelay()</c>.
    /// </summary>
    public static IServiceCollection AddCrdtSyncRelay(this IServiceCollection services, Action<RelayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RelayOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => AdminCredentialFile.Resolve(sp.GetRequiredService<IOptions<RelayOptions>>().Value));
        AddRelayCore(services);
        services.AddSingleton<ErrorBoundaryInterceptor>();
        services.AddSingleton<DeviceAuthInterceptor>();
        services.AddSingleton<AdminAuthInterceptor>();
        services.AddHostedService<RelayStartup>();
        // Fan-out across instances: with the PostgreSQL store, every instance LISTENs for the others' commits.
        services.AddHostedService<PostgresChangeListener>();
        services.AddMetrics();
        RelayConsoleHosting.AddServices(services);

        services.AddGrpc()
            .AddServiceOptions<SyncService>(o =>
            {
                o.Interceptors.Add<ErrorBoundaryInterceptor>();
                o.Interceptors.Add<DeviceAuthInterceptor>();
                o.Interceptors.Add<ConsoleActivityInterceptor>();
            })
            .AddServiceOptions<AdminService>(o =>
            {
                o.Interceptors.Add<ErrorBoundaryInterceptor>();
                o.Interceptors.Add<AdminAuthInterceptor>();
            });
        services.AddOptions<GrpcServiceOptions>().Configure<RelaySyncConfiguration>((grpc, configuration) =>
        {
            grpc.MaxReceiveMessageSize = configuration.Rules.Limits.MessageBytesMax;
            grpc.MaxSendMessageSize = configuration.Rules.Limits.MessageBytesMax;
            grpc.EnableDetailedErrors = false;
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<RelayStoreHealthCheck>("store");
        return services;
    }

    /// <summary>
    /// The relay's logic without any server: configuration, store (SQLite unless an <see cref="IRelayStore"/> is
    /// registered), authority, log reader, devices and the <see cref="RelayEndpoint"/> over them. Expects
    /// <c>IOptions&lt;RelayOptions&gt;</c>, a <see cref="TimeProvider"/>, logging and metrics to be registered.
    /// </summary>
    internal static IServiceCollection AddRelayCore(IServiceCollection services)
    {
        services.TryAddSingleton(sp => RelaySyncConfiguration.Load(sp.GetRequiredService<IOptions<RelayOptions>>().Value));
        services.AddOptions<PostgresRelayStoreOptions>().Configure<IOptions<RelayOptions>>((postgres, relay) =>
        {
            if (string.IsNullOrEmpty(postgres.ConnectionString))
            {
                postgres.ConnectionString = relay.Value.PostgresConnectionString ?? string.Empty;
            }
        });
        services.TryAddSingleton<PostgresRelayStore>();
        services.TryAddSingleton<IRelayStore>(sp =>
        {
            var relay = sp.GetRequiredService<IOptions<RelayOptions>>().Value;
            if (relay.Store == RelayStoreKind.Postgres)
            {
                return sp.GetRequiredService<PostgresRelayStore>();
            }

            var directory = Path.GetFullPath(relay.DataDirectory);
            Directory.CreateDirectory(directory);
            return new SqliteRelayStore(Path.Combine(directory, relay.DatabaseFileName));
        });
        services.AddSingleton<RelayClock>();
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<RelayMetrics>();
        services.AddSingleton<RelayFaultPoints>();
        services.AddSingleton<PushAuthority>();
        services.AddSingleton<LogReader>();
        services.AddSingleton<PrincipalResolver>();
        services.AddSingleton<PushRateLimiter>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton(sp => new RelayEndpoint(
            sp.GetRequiredService<RelaySyncConfiguration>(), sp.GetRequiredService<RelayClock>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<PrincipalResolver>(), sp.GetRequiredService<PushAuthority>(), sp.GetRequiredService<LogReader>(),
            sp.GetRequiredService<PushRateLimiter>(), sp.GetRequiredService<IRelayStore>(), sp.GetRequiredService<DeviceRegistry>(),
            sp.GetRequiredService<RelayFaultPoints>()));
        return services;
    }
}
