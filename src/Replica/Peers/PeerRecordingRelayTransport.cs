using System.Runtime.CompilerServices;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Transport;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// An <see cref="IRelayTransport"/> that also records what the relay committed into the replica's peer change store, so
/// peers without relay access receive relay-origin changes (action effects, compensations of refused changes) and the
/// changes of devices outside the LAN through this replica. Records every change pulled (<c>Pull</c> and
/// <c>Subscribe</c> pages) and every change committed by an accepted push (the change and its action's effects).
/// Guarded changes (actions, deletes) are recorded as skipped ids: they never travel among peers, the relay delivers
/// them. Record states (sent instead of changes to filtered subscriptions) carry no change and are not recorded; an
/// origin whose changes this replica only partly pulls stays incomplete in its contiguous vector (docs/design/peers.md).
/// </summary>
/// <remarks>Disposes <c>inner</c> when it is <see cref="IDisposable"/>.</remarks>
public sealed class PeerRecordingRelayTransport : IRelayTransport, IDisposable
{
    private readonly IRelayTransport _inner;
    private readonly ReplicaStore _replica;

    /// <summary>Wraps <paramref name="inner"/>, recording into <paramref name="replica"/>'s peer change store.</summary>
    public PeerRecordingRelayTransport(IRelayTransport inner, ReplicaStore replica)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(replica);
        _inner = inner;
        _replica = replica;
    }

    /// <inheritdoc />
    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) =>
        _inner.HandshakeAsync(request, cancellationToken);

    /// <inheritdoc />
    public async Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken)
    {
        var response = await _inner.PushAsync(request, cancellationToken).ConfigureAwait(false);
        await _replica.RecordRelayChangesAsync(
            [.. response.Outcomes.Where(o => o.Kind == OutcomeKind.Accepted).SelectMany(o => o.Committed).Select(b => b.Memory)],
            cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public async Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken)
    {
        var response = await _inner.PullAsync(request, cancellationToken).ConfigureAwait(false);
        await RecordAsync(response, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _inner.SubscribeAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (item.Page is { } page)
            {
                await RecordAsync(page, cancellationToken).ConfigureAwait(false);
            }

            yield return item;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, CancellationToken cancellationToken) =>
        _inner.SnapshotAsync(request, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => (_inner as IDisposable)?.Dispose();

    private Task RecordAsync(PullResponse page, CancellationToken cancellationToken) =>
        _replica.RecordRelayChangesAsync(
            [.. page.Entries.Where(e => e.PayloadCase == LogEntry.PayloadOneofCase.Change).Select(e => e.Change.Memory)],
            cancellationToken);
}
