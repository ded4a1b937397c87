using CrdtSync.Crdt.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// Refuses every call without the team secret (<c>Unauthenticated</c>, before any handler work) and maps expected failures
/// to statuses: bad input → <c>InvalidArgument</c>; anything else → <c>Internal</c> with an incident id only.
/// </summary>
internal sealed class PeerServerInterceptor(TeamCredential team, ILogger<PeerServerInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!team.Accepts(context.RequestHeaders.GetValue("authorization")))
        {
            logger.LogWarning("Refused a peer call to {Method} from {Peer}: no valid team credential", context.Method, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "This peer belongs to another team, or the call carries no team credential."));
        }

        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (PeerProtocolException exception)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, exception.Message));
        }
        catch (DecodeException exception)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, exception.Message));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The caller went away."));
        }
        catch (Exception exception) when (exception is not RpcException)
        {
            var incident = Guid.NewGuid().ToString("N")[..12];
            logger.LogError(exception, "Peer call {Method} failed (incident {Incident})", context.Method, incident);
            throw new RpcException(new Status(StatusCode.Internal, $"Peer failure, incident {incident}."));
        }
    }
}
