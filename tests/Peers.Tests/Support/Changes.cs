using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Peers.Tests.Support;

/// <summary>Plain upserts of numbered origins on the sample incidents, made directly (no replica), for store-level tests.</summary>
public static class Changes
{
    public static readonly CollectionName Incidents = new("incidents");

    public static Change Upsert(ulong origin, long sequence, string record, string title, long? milliseconds = null) =>
        Change.Upsert(
            new ChangeId(ReplicaId.FromPeerNumber(origin), sequence),
            new Stamp(milliseconds ?? 1_700_000_000_000 + sequence, 0, ReplicaId.FromPeerNumber(origin)),
            Incidents,
            new RecordId(record),
            VersionVector.Empty,
            [new FieldValue(new FieldName("title"), Value.String(title))]);

    public static Change Close(ulong origin, long sequence, string record) =>
        Change.Action(
            new ChangeId(ReplicaId.FromPeerNumber(origin), sequence),
            new Stamp(1_700_000_000_000 + sequence, 0, ReplicaId.FromPeerNumber(origin)),
            Incidents,
            new RecordId(record),
            VersionVector.Empty,
            new ActionName("close"));
}
