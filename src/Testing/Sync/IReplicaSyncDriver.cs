using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;

namespace CrdtSync.Testing.Sync;

/// <summary>
/// What the simulator needs of a sync client: one sync round of a replica over a transport. The simulator ships
/// <see cref="BasicSyncDriver"/>; plug the product's sync engine in here (an adapter whose round runs the engine until
/// it is idle or the transport fails) through <see cref="SimulationOptions.SyncDriver"/>.
/// </summary>
public interface IReplicaSyncDriver
{
    /// <summary>
    /// Runs one round: handshake, push until the outbox has nothing to send, pull every readable subscription to the head.
    /// A failed call ends the round with its <see cref="RelayTransportException"/> (the simulator counts it and moves on).
    /// </summary>
    /// <param name="replica">The replica's sync side.</param>
    /// <param name="transport">The link to the relay.</param>
    /// <param name="time">The device's clock.</param>
    /// <param name="cancellationToken">Cancels the round.</param>
    Task SyncAsync(IReplicaSync replica, IRelayTransport transport, TimeProvider time, CancellationToken cancellationToken);
}
