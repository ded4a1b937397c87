using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Hosting;

/// <summary>What a device needs to connect: its replica id, its user and its bearer token.</summary>
public sealed record DeviceCredential(ReplicaId Replica, string User, string Token);
