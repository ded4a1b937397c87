using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Bench.Workloads;

/// <summary>
/// A replica on the <c>core</c> layer (WORKLOADS.md section 9): a map of <see cref="RecordState"/> in one
/// collection, a hybrid logical clock over a <see cref="SteppingTimeProvider"/>, a log of the changes it
/// knows per origin (to serve deltas) and its version vector.
/// </summary>
internal sealed class CoreReplica
{
    private readonly Dictionary<ReplicaId, OriginLog> _logs = [];
    private readonly Dictionary<ReplicaId, long> _version = [];
    private OriginLog? _ownLog;

    // This replica's own highest sequence (its entry of the version, kept apart from _version: no hashing per local edit).
    private long _sequence;

    public CoreReplica(ulong peerNumber, CollectionName collection, SteppingTimeProvider time, ulong clockLastTime = 0)
    {
        Id = ReplicaId.FromPeerNumber(peerNumber);
        Collection = collection;
        Time = time;
        Clock = new HybridLogicalClock(Id, time, clockLastTime);
    }

    public ReplicaId Id { get; }

    public CollectionName Collection { get; }

    public SteppingTimeProvider Time { get; }

    public HybridLogicalClock Clock { get; }

    /// <summary>
    /// The records by id text. Keyed by <see cref="string"/>, not <see cref="RecordId"/>: a string-keyed dictionary
    /// hashes with the runtime's fast non-randomized string hash (switching to the randomized one only under
    /// many collisions), while a struct key goes through the randomized hash on every lookup.
    /// </summary>
    public Dictionary<string, RecordState> Records { get; } = new(StringComparer.Ordinal);

    /// <summary>One local transaction: an upsert of <paramref name="fields"/> on record <paramref name="id"/>.</summary>
    public Change Upsert(RecordId id, FieldValue[] fields)
    {
        // One hash lookup for "find or add" (the record dictionary is the first cache miss of every update).
        ref var record = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Records, id.Text, out _);
        record ??= new RecordState(Collection, id);
        var sequence = ++_sequence;
        var change = Change.Upsert(new ChangeId(Id, sequence), Clock.Next(), Collection, id, record.Version, fields);
        record.Apply(change);
        (_ownLog ??= Log(Id, sequence)).Append(change);
        return change;
    }

    /// <summary>Merges one change received from elsewhere.</summary>
    public ApplyOutcome ApplyRemote(Change change)
    {
        if (!Clock.Observe(change.Stamp))
        {
            throw new InvalidOperationException($"Change {change.Id} is stamped too far ahead of this replica's clock.");
        }

        ref var record = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Records, change.RecordId.Text, out _);
        record ??= new RecordState(Collection, change.RecordId);
        var outcome = record.Apply(change);
        var origin = change.Id.Origin;
        ref var known = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_version, origin, out _);
        if (change.Id.Sequence > known)
        {
            if (change.Id.Sequence == known + 1)
            {
                Log(origin, change.Id.Sequence).Append(change);
            }

            known = change.Id.Sequence;
        }

        return outcome;
    }

    /// <summary>The replica's version vector (origin → highest sequence known).</summary>
    public VersionVector Version() =>
        VersionVector.From(_sequence > 0 ? _version.Append(new KeyValuePair<ReplicaId, long>(Id, _sequence)) : _version);

    /// <summary>The delta a peer at <paramref name="theirVersion"/> lacks: the batch of every change it has not seen.</summary>
    public byte[] EncodeDelta(VersionVector theirVersion)
    {
        // Sized first: the list of 100,000 changes is then one allocation, not a series of doubling copies.
        var count = 0;
        foreach (var (origin, log) in _logs)
        {
            var from = theirVersion.Get(origin) + 1;
            if (from < log.FirstSequence)
            {
                throw new InvalidOperationException($"This replica no longer holds the changes of {origin} from {from}.");
            }

            count += Math.Max(0, log.Changes.Count - (int)(from - log.FirstSequence));
        }

        var changes = new List<Change>(count);
        foreach (var (origin, log) in _logs)
        {
            var start = (int)(theirVersion.Get(origin) + 1 - log.FirstSequence);
            for (var i = start; i < log.Changes.Count; i++)
            {
                changes.Add(log.Changes[i]);
            }
        }

        return ChangeBatchCodec.Encode(changes);
    }

    /// <summary>Decodes a delta and merges every change in it.</summary>
    public int ApplyDelta(ReadOnlyMemory<byte> delta)
    {
        var changes = ChangeBatchCodec.Decode(delta);
        foreach (var change in changes)
        {
            ApplyRemote(change);
        }

        return changes.Length;
    }

    public byte[] EncodeSnapshot() => SnapshotCodec.Encode(Records.Values);

    /// <summary>A new replica loaded from a snapshot: its records, its version (the join of the records'), its clock past every stamp in it.</summary>
    public static CoreReplica Load(ulong peerNumber, CollectionName collection, SteppingTimeProvider time, ReadOnlyMemory<byte> snapshot)
    {
        var states = SnapshotCodec.Decode(snapshot);
        var version = new Dictionary<ReplicaId, long>();
        ulong lastTime = 0;
        foreach (var state in states)
        {
            var origins = state.Version.Origins;
            var sequences = state.Version.Sequences;
            for (var i = 0; i < origins.Length; i++)
            {
                ref var known = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(version, origins[i], out _);
                known = Math.Max(known, sequences[i]);
            }

            foreach (var entry in state.Fields.Values)
            {
                lastTime = Math.Max(lastTime, entry.Stamp.Time);
            }

            if (state.Tombstone is { } tombstone)
            {
                lastTime = Math.Max(lastTime, tombstone.Stamp.Time);
            }
        }

        var replica = new CoreReplica(peerNumber, collection, time, lastTime);
        foreach (var state in states)
        {
            replica.Records.Add(state.Id.Text, state);
        }

        foreach (var (origin, sequence) in version)
        {
            if (origin == replica.Id)
            {
                replica._sequence = sequence;
            }
            else
            {
                replica._version[origin] = sequence;
            }
        }

        return replica;
    }

    private OriginLog Log(ReplicaId origin, long sequence)
    {
        if (!_logs.TryGetValue(origin, out var log))
        {
            log = new OriginLog(sequence);
            _logs.Add(origin, log);
        }

        return log;
    }

    private sealed class OriginLog(long firstSequence)
    {
        public long FirstSequence { get; } = firstSequence;

        public List<Change> Changes { get; } = [];

        public void Append(Change change) => Changes.Add(change);
    }
}
