using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Storage;

/// <summary>The relay's own replica id (made once, kept in its database) and its clock as last saved.</summary>
public sealed record RelayIdentity(ReplicaId ReplicaId, RelayClockState Clock);

/// <summary>The relay clock's last packed time and the last sequence the relay used as a change origin.</summary>
public readonly record struct RelayClockState(ulong LastTime, long OriginSequence);
