using CrdtSync.Protocol.V1;

namespace CrdtSync.Replica.Transport;

/// <summary>
/// How a replica reaches its relay: the five calls of the <c>crdtsync.v1.Sync</c> service, with the
/// protocol's own messages. The gRPC implementation (<c>GrpcRelayTransport</c>) only moves bytes;
/// the simulator provides an in-memory one with a faulty network. Every failure of the call itself is a
/// <see cref="RelayTransportException"/> whose <see cref="RelayTransportException.Kind"/> says whether
/// retrying can help; per-change outcomes travel in <see cref="PushResponse"/>.
/// </summary>
public interface IRelayTransport
{
    /// <summary>Who am I, the relay's time and rules, and my access.</summary>
    Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken);

    /// <summary>Pushes a batch of changes; one outcome per change, in order. Idempotent by change id.</summary>
    Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken);

    /// <summary>One page of the log after a cursor.</summary>
    Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken);

    /// <summary>Catch-up pages, a caught-up marker, then the live tail, until cancelled or the connection drops.</summary>
    IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken);

    /// <summary>The current state of every readable record of the subscriptions, then the cursor to pull from.</summary>
    IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, CancellationToken cancellationToken);
}
