using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;

namespace CrdtSync.Testing.Sync;

/// <summary>
/// The default driver: the product's <see cref="SyncClient"/>, one <see cref="SyncClient.SyncAllAsync"/> per round
/// (handshake with access and revocation handling, snapshot of new or newly filtered subscriptions, push of the whole
/// outbox, pull to the head with record states and <c>resync_required</c> → snapshot). The client is never started, so
/// no background loop runs: every call happens on the simulator's thread, in order. One client lives as long as its
/// <see cref="ReplicaStore"/> object; a crashed and reopened replica gets a new one, as a restarted app would.
/// </summary>
public sealed class SyncClientDriver : IReplicaSyncDriver
{
    private readonly IReadOnlyList<string>? _collections;
    private ReplicaStore? _replica;
    private IRelayTransport? _transport;
    private SyncClient? _client;

    /// <summary>A driver that subscribes to <paramref name="collections"/> (every collection of the configuration when null) as far as the user may read them.</summary>
    public SyncClientDriver(IReadOnlyList<string>? collections = null) => _collections = collections;

    /// <summary>Wraps the transport of each round (canaries, recording); the identity when null.</summary>
    internal Func<ReplicaStore, IRelayTransport, IRelayTransport>? TransportDecorator { get; init; }

    /// <inheritdoc />
    public async Task SyncAsync(ReplicaStore replica, IRelayTransport transport, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(time);
        if (!ReferenceEquals(replica, _replica) || !ReferenceEquals(transport, _transport) || _client is null)
        {
            // One attempt per sync step: the schedule decides when the next round runs (and SyncAllAsync's own
            // retry delays would wait on a simulated clock that only the schedule moves).
            var options = new SyncClientOptions { ClientAgent = "crdtsync-simulator", SyncAllRetryCount = 0 };
            foreach (var collection in _collections ?? [.. (replica.Configuration?.Collections.Keys.Select(c => c.Text) ?? []).Order(StringComparer.Ordinal)])
            {
                options.Collections.Add(collection);
            }

            // The jitter source is not used with retries off; seeded anyway so nothing reads an unseeded random.
            _client = new SyncClient(replica, TransportDecorator?.Invoke(replica, transport) ?? transport, options, time, new Random(0));
            _replica = replica;
            _transport = transport;
        }

        try
        {
            await _client.SyncAllAsync(cancellationToken).ConfigureAwait(false);
            replica.SetConnected(true);
        }
        catch
        {
            replica.SetConnected(false);
            throw;
        }
    }
}
