using CrdtSync.Crdt.Errors;
using CrdtSync.Relay.Authority;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Relay.Services;

/// <summary>
/// The boundary of every relay call: expected refusals become their status with a message safe to show; anything
/// else is logged and answered with a bare Internal status (no stack trace, no SQL).
/// </summary>
internal sealed class ErrorBoundaryInterceptor(ILogger<ErrorBoundaryInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    private RpcException Map(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case RelayRequestException refusal:
                return new RpcException(new Status(refusal.Kind switch
                {
                    RelayErrorKind.InvalidArgument => StatusCode.InvalidArgument,
                    RelayErrorKind.PermissionDenied => StatusCode.PermissionDenied,
                    RelayErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
                    RelayErrorKind.NotFound => StatusCode.NotFound,
                    _ => StatusCode.Unauthenticated,
                }, refusal.Message));
            case CrdtException bad:
                return new RpcException(new Status(StatusCode.InvalidArgument, bad.Message));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled, "The call was cancelled before it completed."));
            default:
                var incident = Guid.NewGuid().ToString("N")[..12];
                logger.LogError(ex, "Call {Method} failed (incident {Incident})", context.Method, incident);
                return new RpcException(new Status(StatusCode.Internal, $"The relay could not handle this call (incident {incident}; see the relay's log)."));
        }
    }
}
