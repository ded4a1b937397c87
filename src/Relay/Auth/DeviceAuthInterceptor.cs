using CrdtSync.Relay.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CrdtSync.Relay.Auth;

/// <summary>
/// Authenticates every sync call by its device token before the handler runs: a missing, unknown or revoked token
/// ends the call with Unauthenticated and no handler work is done. The device is handed to the handler in
/// <see cref="ServerCallContext.UserState"/>.
/// </summary>
internal sealed class DeviceAuthInterceptor(IRelayStore store) : Interceptor
{
    public const string DeviceKey = "crdtsync.device";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public static DeviceIdentity DeviceOf(ServerCallContext context) =>
        context.UserState.TryGetValue(DeviceKey, out var device) && device is DeviceIdentity identity
            ? identity
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "No device token."));

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        var token = BearerToken.From(context.RequestHeaders)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "Send the device token as 'authorization: Bearer <token>'."));
        var device = await store.FindDeviceAsync(TokenHasher.Hash(token), context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "The device token is unknown or revoked."));
        context.UserState[DeviceKey] = new DeviceIdentity(device.ReplicaId, device.User, device.Label);
    }
}
