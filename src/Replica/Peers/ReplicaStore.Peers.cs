using Microsoft.Extensions.Logging;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Peers;

namespace CrdtSync.Replica;

/// <summary>
/// The peer side of the store: a change store keyed by (origin, sequence), a per-origin contiguous vector ("I have every
/// change of origin O up to N") and the changes held because a predecessor from their origin is missing. See
/// docs/design/peers.md.
/// </summary>
/// <remarks>
/// The tables are part of the replica schema (migration 4 in <c>Storage/Migrations.cs</c>). Peer-received changes are
/// merged into the record's base state exactly as pulled ones are; the relay log later delivers the same change ids,
/// which merge as no-ops.
/// </remarks>
public sealed partial class ReplicaStore
{
    /// <summary>
    /// This replica's contiguous vector for peers: per origin, the highest N such that every change 1..N of that origin is
    /// in the change store (shareable or known as not shared). Its own origin is always complete. What a peer sends first.
    /// </summary>
    public Task<VersionVector> GetPeerVersionAsync(CancellationToken cancellationToken = default) => Serialized(_ =>
    {
        PreparePeerStore();
        return LoadPeerVersion();
    }, cancellationToken);

    /// <summary>
    /// The changes a peer whose contiguous vector is <paramref name="theirVersion"/> misses: per origin, every sequence
    /// above theirs up to ours, in order; at most <paramref name="countMax"/> ids (<see cref="PeerChangeSet.More"/> says
    /// when more remain).
    /// </summary>
    public Task<PeerChangeSet> GetPeerChangesAsync(VersionVector theirVersion, int countMax, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(theirVersion);
        ArgumentOutOfRangeException.ThrowIfLessThan(countMax, 1);
        return Serialized(_ =>
        {
            PreparePeerStore();
            var changes = new List<Change>();
            var skipped = new List<ChangeId>();
            var more = false;
            foreach (var (origin, ours) in LoadPeerVersion())
            {
                var theirs = theirVersion.Get(origin);
                if (ours <= theirs)
                {
                    continue;
                }

                var room = countMax - changes.Count - skipped.Count;
                if (room <= 0)
                {
                    more = true;
                    break;
                }

                using var reader = _database.Command(
                    "SELECT sequence, change FROM peer_changes WHERE origin = $p0 AND sequence > $p1 AND sequence <= $p2 ORDER BY sequence LIMIT $p3",
                    origin.ToByteArray(), theirs, ours, (long)room).ExecuteReader();
                var last = theirs;
                while (reader.Read())
                {
                    last = reader.GetInt64(0);
                    if (reader.IsDBNull(1))
                    {
                        skipped.Add(new ChangeId(origin, last));
                    }
                    else
                    {
                        changes.Add(ChangeCodec.Decode((byte[])reader[1]));
                    }
                }

                more |= last < ours;
            }

            return new PeerChangeSet(changes, skipped, more);
        }, cancellationToken);
    }

    /// <summary>
    /// Takes a peer's changes in: per origin, a change whose predecessors are all here is merged (and recorded in the
    /// change store); one whose predecessor is missing is held until it arrives; one already known is ignored. Changes of
    /// this replica's own origin are ignored (it is their only author). A change stamped further ahead of this replica's
    /// clock than the configuration's <c>clockSkewMax</c> (the bound the relay refuses by) is not taken in: it is treated
    /// as missing, so nothing of its origin above it is merged either, and it is asked for again next round
    /// (<see cref="PeerApplyReport.TooFarAhead"/>). One transaction.
    /// </summary>
    /// <exception cref="PeerProtocolException">A change is a guarded action or a delete: those never travel among peers.</exception>
    public Task<PeerApplyReport> ApplyPeerChangesAsync(PeerChangeSet set, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        foreach (var change in set.Changes)
        {
            if (change.Kind != ChangeKind.Upsert)
            {
                throw new PeerProtocolException(
                    $"Change {change.Id} is a {change.Kind}: guarded changes wait for a relay and never travel among peers.");
            }
        }

        return Serialized(notes =>
        {
            PeerApplyReport? report = null;
            InTransaction(() =>
            {
                PreparePeerStoreInTransaction();
                report = TakeInPeerChanges(set, notes, checkSkew: true);
                SaveClock();
            });
            return report!;
        }, cancellationToken);
    }

    /// <summary>
    /// Records changes the relay committed (pulled, or committed by a push) into the change store, marked as delivered by
    /// the relay: plain upserts to share with peers, guarded changes as skipped ids. Merges like
    /// <see cref="ApplyPeerChangesAsync"/> (a no-op for what the relay page itself merges). Used by
    /// <see cref="PeerRecordingRelayTransport"/>.
    /// </summary>
    internal Task RecordRelayChangesAsync(IReadOnlyList<ReadOnlyMemory<byte>> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }

        var shared = new List<Change>();
        var skipped = new List<ChangeId>();
        foreach (var bytes in changes)
        {
            var change = ChangeCodec.Decode(bytes);
            if (change.Kind == ChangeKind.Upsert)
            {
                shared.Add(change);
            }
            else
            {
                skipped.Add(change.Id);
            }
        }

        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                PreparePeerStoreInTransaction();
                TakeInPeerChanges(new PeerChangeSet(shared, skipped), notes, checkSkew: false);
                foreach (var id in shared.Select(c => c.Id).Concat(skipped))
                {
                    _database.Execute("INSERT OR IGNORE INTO peer_from_relay (origin, sequence) VALUES ($p0, $p1)", id.Origin.ToByteArray(), id.Sequence);
                }

                SaveClock();
            });
            return true;
        }, cancellationToken);
    }

    /// <summary>How many change ids are held, waiting for a predecessor from their origin.</summary>
    public Task<int> GetHeldPeerChangeCountAsync(CancellationToken cancellationToken = default) => Serialized(_ =>
    {
        PreparePeerStore();
        return (int)(long)_database.Scalar("SELECT count(*) FROM peer_held")!;
    }, cancellationToken);

    /// <summary>Brings this replica's own changes into the change store.</summary>
    private void PreparePeerStore() => InTransaction(PreparePeerStoreInTransaction);

    private void PreparePeerStoreInTransaction() => AbsorbOwnChanges();

    /// <summary>
    /// Records every own sequence not yet in the change store: a queued or in-flight plain upsert with its bytes (shared);
    /// anything else (an action or delete, a refused entry, an entry already accepted and gone from the outbox) as not shared.
    /// </summary>
    private void AbsorbOwnChanges()
    {
        var origin = ReplicaId.ToByteArray();
        var done = (long?)_database.Scalar("SELECT sequence FROM peer_contiguous WHERE origin = $p0", origin) ?? 0;
        if (done >= _lastSequence)
        {
            return;
        }

        var shareable = new Dictionary<long, byte[]>();
        using (var reader = _database.Command(
            "SELECT change_sequence, change FROM outbox WHERE change_sequence > $p0 AND kind = $p1 AND status IN ($p2, $p3)",
            done, (long)ChangeKind.Upsert, (long)EntryStatus.Queued, (long)EntryStatus.InFlight).ExecuteReader())
        {
            while (reader.Read())
            {
                shareable[reader.GetInt64(0)] = (byte[])reader[1];
            }
        }

        for (var sequence = done + 1; sequence <= _lastSequence; sequence++)
        {
            _database.Execute(
                "INSERT OR IGNORE INTO peer_changes (origin, sequence, change) VALUES ($p0, $p1, $p2)",
                origin, sequence, shareable.GetValueOrDefault(sequence));
        }

        SavePeerContiguous(ReplicaId, _lastSequence);
    }

    private VersionVector LoadPeerVersion()
    {
        var entries = new List<KeyValuePair<ReplicaId, long>>();
        using var reader = _database.Command("SELECT origin, sequence FROM peer_contiguous").ExecuteReader();
        while (reader.Read())
        {
            entries.Add(new(ReplicaId.FromBytes((byte[])reader[0]), reader.GetInt64(1)));
        }

        return VersionVector.From(entries);
    }

    private void SavePeerContiguous(ReplicaId origin, long sequence) => _database.Execute(
        "INSERT INTO peer_contiguous (origin, sequence) VALUES ($p0, $p1) ON CONFLICT (origin) DO UPDATE SET sequence = max(sequence, excluded.sequence)",
        origin.ToByteArray(), sequence);

    // checkSkew: true for changes from a peer, false for changes the relay committed. A change from a peer (or held from
    // one) stamped beyond this replica's skew bound stops its origin's run: the relay would refuse it
    // (docs/design/peers.md, "Clock skew among peers").
    private PeerApplyReport TakeInPeerChanges(PeerChangeSet set, Notifications notes, bool checkSkew)
    {
        var aheadMax = (long)_clock.ClockSkewMax.TotalMilliseconds;
        var nowMilliseconds = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Per origin: incoming ids with their change (null: not shared among peers).
        var incoming = new Dictionary<ReplicaId, SortedDictionary<long, Change?>>();
        var duplicates = 0;
        void Add(ChangeId id, Change? change)
        {
            if (id.Origin == ReplicaId || id.Sequence < 1)
            {
                duplicates++;
                return;
            }

            if (!incoming.TryGetValue(id.Origin, out var list))
            {
                incoming.Add(id.Origin, list = []);
            }

            if (!list.TryAdd(id.Sequence, change))
            {
                duplicates++;
            }
        }

        foreach (var change in set.Changes)
        {
            Add(change.Id, change);
        }

        foreach (var id in set.Skipped)
        {
            Add(id, null);
        }

        var toMerge = new List<Change>();
        var applied = 0;
        var released = 0;
        var tooFarAhead = 0;
        foreach (var (origin, list) in incoming)
        {
            var originBytes = origin.ToByteArray();
            var done = (long?)_database.Scalar("SELECT sequence FROM peer_contiguous WHERE origin = $p0", originBytes) ?? 0;
            var held = LoadHeld(originBytes);
            var next = done + 1;
            while (true)
            {
                Change? change;
                bool wasHeld = false;
                if (list.Remove(next, out change))
                {
                    held.Remove(next);
                }
                else if (held.Remove(next, out var heldBytes))
                {
                    change = heldBytes is null ? null : ChangeCodec.Decode(heldBytes);
                    wasHeld = true;
                }
                else
                {
                    break;
                }

                if (change is not null && (checkSkew || wasHeld) && change.Stamp.Milliseconds - nowMilliseconds > aheadMax)
                {
                    // Not taken in: treated as missing (a held copy stays held), so this origin's run stops here.
                    tooFarAhead++;
                    _logger.LogWarning(
                        "Peer change {ChangeId} not merged: {Reason}, stamped {Ahead} ahead of this replica's clock (at most {Max} allowed); asked for again next round",
                        change.Id, PeerRefusalReason.ClockSkew, TimeSpan.FromMilliseconds(change.Stamp.Milliseconds - nowMilliseconds), _clock.ClockSkewMax);
                    break;
                }

                _database.Execute(
                    "INSERT OR IGNORE INTO peer_changes (origin, sequence, change) VALUES ($p0, $p1, $p2)",
                    originBytes, next, change is null ? null : ChangeCodec.Encode(change));
                _database.Execute("DELETE FROM peer_held WHERE origin = $p0 AND sequence = $p1", originBytes, next);
                if (change is not null)
                {
                    toMerge.Add(change);
                }

                applied++;
                released += wasHeld ? 1 : 0;
                next++;
            }

            if (next - 1 > done)
            {
                SavePeerContiguous(origin, next - 1);
            }

            foreach (var (sequence, change) in list)
            {
                if (sequence == next)
                {
                    continue; // refused as too far ahead: not held, asked for again
                }

                if (sequence < next || held.ContainsKey(sequence))
                {
                    duplicates++;
                    continue;
                }

                _database.Execute(
                    "INSERT OR IGNORE INTO peer_held (origin, sequence, change) VALUES ($p0, $p1, $p2)",
                    originBytes, sequence, change is null ? null : ChangeCodec.Encode(change));
            }
        }

        if (toMerge.Count > 0)
        {
            MergeIntoConfirmed(new Storage.RecordMerge(toMerge), notes);
        }

        var heldNow = (int)(long)_database.Scalar("SELECT count(*) FROM peer_held")!;
        if (tooFarAhead > 0)
        {
            Peers.Discovery.PeerDiscoveryMetrics.TooFarAhead.Add(tooFarAhead);
        }

        return new PeerApplyReport(applied, duplicates, heldNow, released, tooFarAhead);
    }

    private Dictionary<long, byte[]?> LoadHeld(byte[] origin)
    {
        var held = new Dictionary<long, byte[]?>();
        using var reader = _database.Command("SELECT sequence, change FROM peer_held WHERE origin = $p0", origin).ExecuteReader();
        while (reader.Read())
        {
            held[reader.GetInt64(0)] = reader.IsDBNull(1) ? null : (byte[])reader[1];
        }

        return held;
    }
}
