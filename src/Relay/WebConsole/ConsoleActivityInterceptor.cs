using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Configuration;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// Notes, for the console, what the sync calls of an authenticated device show (only while the console is enabled):
/// a completed handshake, the cursors asked for and sent (pull, subscribe, snapshot), and the outcomes of a push
/// (first decisions only, not the stored answers to a re-push). It runs inside the device authentication and only
/// observes: a call's result is never changed.
/// </summary>
internal sealed class ConsoleActivityInterceptor(ConsoleActivity activity, IOptions<RelayOptions> options) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = await continuation(request, context).ConfigureAwait(false);
        if (!options.Value.Console)
        {
            return response;
        }

        var device = DeviceAuthInterceptor.DeviceOf(context).Replica;
        switch (response)
        {
            case HandshakeResponse:
                activity.NoteHandshake(device);
                break;
            case PullResponse pull:
                activity.NoteCursor(device, pull.NextCursor);
                break;
            case PushResponse push:
                foreach (var outcome in push.Outcomes)
                {
                    if (!outcome.RepeatedPush && ToKind(outcome.Kind) is { } kind)
                    {
                        activity.NoteOutcome(kind);
                    }
                }

                break;
        }

        return response;
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!options.Value.Console)
        {
            return continuation(request, responseStream, context);
        }

        var device = DeviceAuthInterceptor.DeviceOf(context).Replica;
        if (request is SubscribeRequest subscribe)
        {
            activity.NoteCursor(device, subscribe.Cursor);
        }

        return continuation(request, new ObservingWriter<TResponse>(responseStream, message => Observe(device, message)), context);
    }

    private void Observe(Crdt.Clocks.ReplicaId device, object? message)
    {
        switch (message)
        {
            case SubscribeEvent { EventCase: SubscribeEvent.EventOneofCase.Page } page:
                activity.NoteCursor(device, page.Page.NextCursor);
                break;
            case SubscribeEvent { EventCase: SubscribeEvent.EventOneofCase.CaughtUp } caughtUp:
                activity.NoteCursor(device, caughtUp.CaughtUp.Cursor);
                break;
            case SnapshotPage { Last: true } last:
                activity.NoteCursor(device, last.Cursor);
                break;
        }
    }

    private static Crdt.Schema.OutcomeKind? ToKind(Protocol.V1.OutcomeKind kind) => kind switch
    {
        Protocol.V1.OutcomeKind.Accepted => Crdt.Schema.OutcomeKind.Accepted,
        Protocol.V1.OutcomeKind.Conflict => Crdt.Schema.OutcomeKind.Conflict,
        Protocol.V1.OutcomeKind.Invalid => Crdt.Schema.OutcomeKind.Invalid,
        Protocol.V1.OutcomeKind.Deleted => Crdt.Schema.OutcomeKind.Deleted,
        Protocol.V1.OutcomeKind.Forbidden => Crdt.Schema.OutcomeKind.Forbidden,
        Protocol.V1.OutcomeKind.ClockSkew => Crdt.Schema.OutcomeKind.ClockSkew,
        _ => null,
    };

    /// <summary>Passes every message on, then shows it to an observer.</summary>
    private sealed class ObservingWriter<T>(IServerStreamWriter<T> inner, Action<T> observe) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public async Task WriteAsync(T message) => await WriteAsync(message, CancellationToken.None).ConfigureAwait(false);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            observe(message);
        }
    }
}
