using CrdtSync.Crdt.Clocks;
using CrdtSync.Replica.Errors;

namespace CrdtSync.Replica;

/// <summary>
/// The replica's identity: its id, made once, and where its origin sequence and hybrid clock stand, recovered at open.
/// </summary>
/// <remarks>
/// A local write does not rewrite the identity row (that was one more page per committed edit). The newest local change is
/// always in the outbox, with its sequence and its stamp's time, until it leaves it; an entry leaves the outbox only in a
/// transaction whose trigger (<c>outbox_removed</c>, migration 3) raises the identity row's
/// <c>last_sequence</c> and <c>clock_time</c> to the entry's own. Merges from elsewhere raise <c>clock_time</c> in their
/// own transaction. So at open, the later of the identity row and the outbox entry with the highest sequence is at least
/// every sequence and stamp this replica ever committed, and none is used twice.
/// </remarks>
public sealed partial class ReplicaStore
{
    private (ReplicaId Id, long LastSequence, ulong ClockTime) LoadOrCreateIdentity(ReplicaId? wantedId)
    {
        using (var reader = _database.Command("SELECT replica_id, last_sequence, clock_time FROM replica_identity WHERE singleton = 0").ExecuteReader())
        {
            if (reader.Read())
            {
                var existing = ReplicaId.FromBytes((byte[])reader[0]);
                if (wantedId is { } wanted && wanted != existing)
                {
                    throw new ReplicaIdentityMismatchException(existing, wanted);
                }

                var (sequence, clockTime) = NewestOutboxStamp();
                return (existing, Math.Max(reader.GetInt64(1), sequence), Math.Max((ulong)reader.GetInt64(2), clockTime));
            }
        }

        var id = wantedId ?? ReplicaId.Create(_random);
        InTransaction(() => _database.Execute(
            "INSERT INTO replica_identity (singleton, replica_id, last_sequence, clock_time) VALUES (0, $p0, 0, 0)", id.ToByteArray()));
        return (id, 0, 0);
    }

    /// <summary>
    /// The highest change sequence in the outbox and the latest stamp time among those entries, by two index lookups: an entry's
    /// id is its first sequence, and only a re-stamped entry (a retry: a later sequence) has another one, found by its partial index.
    /// </summary>
    private (long Sequence, ulong ClockTime) NewestOutboxStamp()
    {
        long sequence = 0;
        ulong clockTime = 0;
        using var reader = _database.Command(
            """
            SELECT change_sequence, stamp_time FROM outbox WHERE entry_id = (SELECT max(entry_id) FROM outbox)
            UNION ALL
            SELECT * FROM (SELECT change_sequence, stamp_time FROM outbox WHERE change_sequence <> entry_id ORDER BY change_sequence DESC LIMIT 1)
            """).ExecuteReader();
        while (reader.Read())
        {
            sequence = Math.Max(sequence, reader.GetInt64(0));
            clockTime = Math.Max(clockTime, (ulong)reader.GetInt64(1));
        }

        return (sequence, clockTime);
    }
}
