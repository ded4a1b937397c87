using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>
/// The small world the generators draw from: two or three replicas, a handful of field names and a
/// few milliseconds of time, so that ties and concurrency are common rather than rare.
/// </summary>
public static class Domain
{
    /// <summary>The collection of every generated record.</summary>
    public static readonly CollectionName Collection = "tasks";

    /// <summary>The id of every generated record.</summary>
    public static readonly RecordId Record = "0190a6c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f";

    /// <summary>Replica ids 1, 2 and 3 (the lowest id is the weakest tie-break).</summary>
    public static readonly ReplicaId[] Replicas = [ReplicaId.FromPeerNumber(1), ReplicaId.FromPeerNumber(2), ReplicaId.FromPeerNumber(3)];

    /// <summary>Four field names; changes write one to four of them.</summary>
    public static readonly FieldName[] Fields = ["done", "due", "notes", "title"];

    /// <summary>2026-01-01T00:00:00Z in Unix milliseconds: the start of every simulated wall clock.</summary>
    public const long StartMilliseconds = 1_767_225_600_000;
}
