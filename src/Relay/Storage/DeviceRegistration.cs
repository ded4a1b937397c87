using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Storage;

/// <summary>A device: its replica id, its user, a label, and the SHA-256 hash of its token (the token itself is never stored).</summary>
public sealed record DeviceRegistration(ReplicaId ReplicaId, string User, string Label, byte[] TokenHash, DateTimeOffset CreatedAt);
