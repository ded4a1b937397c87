using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica;

/// <summary>Records that exist only among peers, which a relay snapshot must not purge (docs/design/peers.md).</summary>
public sealed partial class ReplicaStore
{
    /// <summary>
    /// True when the record's confirmed state holds a change received from a peer that the relay's log has not delivered
    /// here: for some other origin, the highest change of that origin merged into the record is in the change store with
    /// its bytes and not marked as delivered by the relay. Such a record may be absent from a relay snapshot only because
    /// its origin has not pushed yet, so the snapshot keeps it. (The relay has a later change of an origin only if it has
    /// the earlier ones: each origin pushes in order.)
    /// </summary>
    private bool HoldsPeerOnlyChange(CollectionName collection, RecordId id)
    {
        if (LoadRecord(collection, id)?.Confirmed is not { } confirmed)
        {
            return false;
        }

        foreach (var (origin, sequence) in confirmed.Version)
        {
            if (origin != ReplicaId && (long)_database.Scalar(
                """
                SELECT EXISTS (SELECT 1 FROM peer_changes c WHERE c.origin = $p0 AND c.sequence = $p1 AND c.change IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM peer_from_relay r WHERE r.origin = c.origin AND r.sequence = c.sequence))
                """,
                origin.ToByteArray(), sequence)! != 0)
            {
                return true;
            }
        }

        return false;
    }
}
