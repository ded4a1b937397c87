using CrdtSync.Replica;
using CrdtSync.Replica.Transport;

namespace CrdtSync.Testing.Sync;

/// <summary>
/// What the simulator needs of a sync client: one sync round of a replica over a transport, run to its end on the
/// simulator's thread. The default, <see cref="SyncClientDriver"/>, runs the product's own <c>SyncClient</c>; plug
/// another engine in here (an adapter whose round runs it until it is idle or the transport fails) through
/// <see cref="SimulationOptions.SyncDriver"/>, and the whole harness tests it.
/// </summary>
/// <remarks>
/// The simulator makes one driver per device. A crashed device is reopened as a new <see cref="ReplicaStore"/> object:
/// a driver that keeps state per replica must drop it when it sees a different store (the process died).
/// </remarks>
public interface IReplicaSyncDriver
{
    /// <summary>
    /// Runs one round: handshake (configuration, access, revocations), push until the outbox has nothing to send, pull
    /// every readable subscription to the head (snapshots where the relay asks for them). A failed call ends the round
    /// with its <see cref="RelayTransportException"/> (the simulator moves on; the next round retries).
    /// </summary>
    /// <param name="replica">The replica (its sync side is <see cref="Replica.Sync.IReplicaSync"/>).</param>
    /// <param name="transport">The link to the relay.</param>
    /// <param name="time">The device's clock.</param>
    /// <param name="cancellationToken">Cancels the round.</param>
    Task SyncAsync(ReplicaStore replica, IRelayTransport transport, TimeProvider time, CancellationToken cancellationToken);
}
