using CrdtSync.Relay.Services;

#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the CrdtSync relay's endpoints.</summary>
public static class RelayEndpointRouteBuilderExtensions
{
    /// <summary>Maps the sync and admin services, gRPC reflection and the gRPC health service.</summary>
    public static IEndpointRouteBuilder MapCrdtSyncRelay(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<SyncService>();
        endpoints.MapGrpcService<AdminService>();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGrpcHealthChecksService();
        return endpoints;
    }
}
