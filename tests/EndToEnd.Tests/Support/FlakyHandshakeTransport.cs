using System.Runtime.CompilerServices;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Transport;

namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>Answers the first <paramref name="failures"/> handshakes as if the relay were unreachable, then passes every call on.</summary>
public sealed class FlakyHandshakeTransport(IRelayTransport inner, int failures) : IRelayTransport, IDisposable
{
    private int _handshakes;

    public int Handshakes => Volatile.Read(ref _handshakes);

    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _handshakes) <= failures
            ? throw new RelayTransportException(RelayTransportErrorKind.Unavailable, "simulated: the relay is restarting")
            : inner.HandshakeAsync(request, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) => inner.PushAsync(request, cancellationToken);

    public Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken) => inner.PullAsync(request, cancellationToken);

    public async IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in inner.SubscribeAsync(request, cancellationToken))
        {
            yield return item;
        }
    }

    public async IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in inner.SnapshotAsync(request, cancellationToken))
        {
            yield return item;
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
