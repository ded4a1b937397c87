using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Transport;

namespace CrdtSync.Testing.Sync;

/// <summary>
/// The <see cref="Sabotage.SkipSomePulledChanges"/> canary: a broken client that silently drops every pulled change of
/// another origin whose sequence is even (pages of pulls and of the live stream), as a broken merge would.
/// </summary>
internal sealed class SkippingTransport(IRelayTransport inner, ReplicaId self) : IRelayTransport
{
    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) => inner.HandshakeAsync(request, cancellationToken);

    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) => inner.PushAsync(request, cancellationToken);

    public async Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken) => Skip(await inner.PullAsync(request, cancellationToken).ConfigureAwait(false));

    public IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken) =>
        inner.SubscribeAsync(request, cancellationToken).Select(e => e.EventCase == SubscribeEvent.EventOneofCase.Page ? new SubscribeEvent { Page = Skip(e.Page) } : e);

    public IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, CancellationToken cancellationToken) => inner.SnapshotAsync(request, cancellationToken);

    private PullResponse Skip(PullResponse page)
    {
        var kept = page.Clone();
        kept.Entries.Clear();
        kept.Entries.AddRange(page.Entries.Where(e => e.PayloadCase != LogEntry.PayloadOneofCase.Change
            || ChangeCodec.Decode(e.Change.Memory) is var change && (change.Id.Origin == self || change.Id.Sequence % 2 == 1)));
        return kept;
    }
}
