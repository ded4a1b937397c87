using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica.Sync;

/// <summary>Who a device token belongs to, as the relay's handshake says: the replica id a new replica file must take.</summary>
/// <param name="ReplicaId">The device's replica id (the only origin it may push).</param>
/// <param name="User">The user the device acts for.</param>
/// <param name="Roles">The user's roles now.</param>
public sealed record DeviceIdentity(ReplicaId ReplicaId, string User, IReadOnlyList<string> Roles);
