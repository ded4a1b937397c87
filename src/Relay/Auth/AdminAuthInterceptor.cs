using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CrdtSync.Relay.Auth;

/// <summary>Requires the admin credential (<c>authorization: Bearer &lt;credential&gt;</c>) on every admin call, before the handler runs.</summary>
internal sealed class AdminAuthInterceptor(AdminCredential credential) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var presented = BearerToken.From(context.RequestHeaders);
        if (presented is null || !TokenHasher.Matches(presented, credential.Value))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The admin service needs the admin credential as 'authorization: Bearer <credential>'."));
        }

        return continuation(request, context);
    }
}
