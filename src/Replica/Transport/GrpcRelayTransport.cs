using System.Net.Http;
using System.Runtime.CompilerServices;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Sync;
using Grpc.Core;
using Grpc.Net.Client;

namespace CrdtSync.Replica.Transport;

/// <summary>
/// <see cref="IRelayTransport"/> over gRPC (<c>crdtsync.v1.Sync</c>): only moves messages. Every call has a deadline
/// (<see cref="SyncClientOptions.CallTimeout"/>, <see cref="SyncClientOptions.SnapshotTimeout"/>,
/// <see cref="SyncClientOptions.LiveStreamTimeout"/>); an <see cref="RpcException"/> becomes a
/// <see cref="RelayTransportException"/> of the matching kind, and the caller's own cancellation stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>Deadlines are on the real clock (gRPC enforces them against it), never on an injected fake one.</remarks>
public sealed class GrpcRelayTransport : IRelayTransport, IDisposable
{
    private readonly Protocol.V1.Sync.SyncClient _client;
    private readonly GrpcChannel? _ownedChannel;
    private readonly SyncClientOptions _options;

    /// <summary>A transport over an existing channel (which must send the device token, see <see cref="RelayChannels"/>); the caller keeps owning it.</summary>
    public GrpcRelayTransport(GrpcChannel channel, SyncClientOptions options)
        : this(channel, options, owned: false)
    {
    }

    private GrpcRelayTransport(GrpcChannel channel, SyncClientOptions options, bool owned)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(options);
        _client = new Protocol.V1.Sync.SyncClient(channel);
        _options = options;
        _ownedChannel = owned ? channel : null;
    }

    /// <summary>
    /// A transport with its own channel to <see cref="SyncClientOptions.RelayAddress"/> sending <see cref="SyncClientOptions.Token"/>,
    /// with HTTP/2 keep-alive pings (a dead link is noticed while the live stream is idle). Disposing it closes the channel.
    /// </summary>
    public static GrpcRelayTransport Create(SyncClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RelayAddress is null || string.IsNullOrEmpty(options.Token))
        {
            throw new ArgumentException("SyncClientOptions needs RelayAddress and Token (the device token from the relay's admin).", nameof(options));
        }

        var handler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = options.KeepAliveInterval,
            KeepAlivePingTimeout = options.KeepAliveInterval,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.CallTimeout,
        };
        var channel = RelayChannels.ForAddress(options.RelayAddress, options.Token, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
        });
        return new GrpcRelayTransport(channel, options, owned: true);
    }

    /// <inheritdoc />
    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) =>
        Unary(() => _client.HandshakeAsync(request, deadline: Deadline(_options.CallTimeout), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <inheritdoc />
    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) =>
        Unary(() => _client.PushAsync(request, deadline: Deadline(_options.CallTimeout), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <inheritdoc />
    public Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken) =>
        Unary(() => _client.PullAsync(request, deadline: Deadline(_options.CallTimeout), cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken) =>
        Stream(() => _client.Subscribe(request, deadline: Deadline(_options.LiveStreamTimeout), cancellationToken: cancellationToken), cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, CancellationToken cancellationToken) =>
        Stream(() => _client.Snapshot(request, deadline: Deadline(_options.SnapshotTimeout), cancellationToken: cancellationToken), cancellationToken);

    /// <summary>Closes the channel when this transport made it.</summary>
    public void Dispose() => _ownedChannel?.Dispose();

    /// <summary>The transport error for a failed call; an <see cref="OperationCanceledException"/> when the caller cancelled.</summary>
    public static Exception Map(RpcException error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The call was cancelled by the caller.", error, cancellationToken);
        }

        var kind = error.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.Aborted => RelayTransportErrorKind.Unavailable,
            StatusCode.DeadlineExceeded => RelayTransportErrorKind.DeadlineExceeded,
            StatusCode.ResourceExhausted => RelayTransportErrorKind.ResourceExhausted,
            StatusCode.Unauthenticated => RelayTransportErrorKind.Unauthenticated,
            StatusCode.PermissionDenied => RelayTransportErrorKind.PermissionDenied,
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange or StatusCode.Unimplemented => RelayTransportErrorKind.InvalidArgument,
            // A connection that breaks mid-stream surfaces as Internal/Unknown with an I/O error inside.
            StatusCode.Internal or StatusCode.Unknown when error.InnerException is HttpRequestException or IOException => RelayTransportErrorKind.Unavailable,
            _ => RelayTransportErrorKind.Other,
        };
        return new RelayTransportException(kind, $"{error.StatusCode}: {error.Status.Detail}", error);
    }

    private static DateTime Deadline(TimeSpan timeout) => TimeProvider.System.GetUtcNow().UtcDateTime + timeout;

    private static async Task<T> Unary<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            throw Map(error, cancellationToken);
        }
        catch (HttpRequestException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RelayTransportException(RelayTransportErrorKind.Unavailable, error.Message, error);
        }
    }

    private static async IAsyncEnumerable<T> Stream<T>(Func<AsyncServerStreamingCall<T>> start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = start();
        while (true)
        {
            bool more;
            try
            {
                more = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException error)
            {
                throw Map(error, cancellationToken);
            }
            catch (HttpRequestException error) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RelayTransportException(RelayTransportErrorKind.Unavailable, error.Message, error);
            }

            if (!more)
            {
                yield break;
            }

            yield return call.ResponseStream.Current;
        }
    }
}
