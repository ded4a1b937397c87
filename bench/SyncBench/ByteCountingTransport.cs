using System.Runtime.CompilerServices;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Transport;
using Google.Protobuf;

namespace CrdtSync.SyncBench;

/// <summary>Counts the protobuf bytes the client receives (message payloads, without HTTP/2 framing), then passes calls on.</summary>
internal sealed class ByteCountingTransport(GrpcRelayTransport inner) : IRelayTransport, IDisposable
{
    private long _received;

    public long ReceivedBytes => Interlocked.Read(ref _received);

    public async Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) => Count(await inner.HandshakeAsync(request, cancellationToken));

    public async Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) => Count(await inner.PushAsync(request, cancellationToken));

    public async Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken) => Count(await inner.PullAsync(request, cancellationToken));

    public async IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in inner.SubscribeAsync(request, cancellationToken))
        {
            yield return Count(item);
        }
    }

    public async IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in inner.SnapshotAsync(request, cancellationToken))
        {
            yield return Count(item);
        }
    }

    public void Dispose() => inner.Dispose();

    private T Count<T>(T message)
        where T : IMessage
    {
        Interlocked.Add(ref _received, message.CalculateSize());
        return message;
    }
}
