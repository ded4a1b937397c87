using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Storage;

/// <summary>A registered device with what the relay last saw of it (<see cref="DeviceActivity"/>; null parts were never seen).</summary>
public sealed record DeviceOverview(
    ReplicaId ReplicaId,
    string User,
    string Label,
    DateTimeOffset CreatedAt,
    bool Revoked,
    DateTimeOffset? LastHandshakeAt,
    long? Cursor,
    DateTimeOffset? CursorAt);
