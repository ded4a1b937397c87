using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Auth;

/// <summary>The authenticated caller of a sync call: its device's replica id (the only origin it may push) and its user.</summary>
public sealed record DeviceIdentity(ReplicaId Replica, string User, string Label);
