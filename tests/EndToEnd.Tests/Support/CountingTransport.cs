using System.Runtime.CompilerServices;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Transport;

namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>Counts every call the sync client makes to the relay, then passes it on.</summary>
public sealed class CountingTransport(IRelayTransport inner) : IRelayTransport, IDisposable
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.HandshakeAsync(request, cancellationToken);
    }

    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.PushAsync(request, cancellationToken);
    }

    public Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.PullAsync(request, cancellationToken);
    }

    public async IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await foreach (var item in inner.SubscribeAsync(request, cancellationToken))
        {
            yield return item;
        }
    }

    public async IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await foreach (var item in inner.SnapshotAsync(request, cancellationToken))
        {
            yield return item;
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
