using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Replica.Tests.Support;

/// <summary>Makes changes as another device would (its own origin, sequence and clock).</summary>
internal sealed class OtherDevice(ulong number, TimeProvider time)
{
    private readonly HybridLogicalClock _clock = new(ReplicaId.FromPeerNumber(number), time);
    private long _sequence;

    public ReplicaId Id { get; } = ReplicaId.FromPeerNumber(number);

    public Change Upsert(string collection, string id, VersionVector seen, params (string Name, object? Value)[] fields) =>
        Change.Upsert(new ChangeId(Id, ++_sequence), _clock.Next(), collection, id, seen, fields.Select(f => new FieldValue(f.Name, Samples.ToValue(f.Value))));

    public Change Delete(string collection, string id, VersionVector seen) =>
        Change.Delete(new ChangeId(Id, ++_sequence), _clock.Next(), collection, id, seen);
}
