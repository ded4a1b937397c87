using CrdtSync.Replica;
using CrdtSync.Replica.Diagnostics;
using CrdtSync.Testing.Schedules;
using CrdtSync.Testing.Time;

namespace CrdtSync.Testing.Nodes;

/// <summary>A simulated device: the real <see cref="ReplicaStore"/> on its own SQLite file, which can crash and reopen.</summary>
internal sealed class SimulatedReplica : IDisposable
{
    private readonly ReplicaOptions _options;
    private readonly int _seed;
    private int _opens;
    private ReplicaCrashPoint? _armed;

    public SimulatedReplica(int index, string user, string path, NodeClock clock, int seed)
    {
        Index = index;
        User = user;
        Clock = clock;
        _seed = seed;
        _options = new ReplicaOptions { DatabasePath = path, Durability = CommitDurability.Normal };
        Store = Open();
    }

    public int Index { get; }

    /// <summary>How many collections the replica could read after its last successful sync.</summary>
    public int ReadableCollections { get; set; }

    public string User { get; }

    public NodeClock Clock { get; }

    public ReplicaStore Store { get; private set; }

    public SimulationCounters Counters { get; set; } = new();

    /// <summary>Called after every commit that changed the outbox (local writes, outcomes, re-stamps inside a sync round), with the store.</summary>
    public Action<ReplicaStore>? OutboxChanged { get; set; }

    /// <summary>True when the next push should crash this replica after the relay committed it.</summary>
    public bool CrashAfterNextPush => _armed == ReplicaCrashPoint.MidPush;

    /// <summary>
    /// True (once) when the replica should die after the relay answered a pull or snapshot and before it applies the page:
    /// the sync client applies pages with <c>ApplyPulledPageAsync</c> and <c>ApplySnapshotAsync</c>, one transaction each,
    /// so dying before the apply leaves the file exactly as a crash before that commit would.
    /// </summary>
    public bool TakeCrashBeforePullApply()
    {
        if (_armed != ReplicaCrashPoint.ApplyingPull)
        {
            return false;
        }

        _armed = null;
        Counters.ReplicaCrashesBeforeCommit++;
        Counters.ReplicaCrashesApplyingPull++;
        return true;
    }

    public void Arm(ReplicaCrashPoint point) => _armed = point;

    public void Disarm() => _armed = null;

    /// <summary>The process died: drop everything in memory and open the file again.</summary>
    public void CrashAndReopen()
    {
        Counters.ReplicaCrashes++;
        if (_armed == ReplicaCrashPoint.MidPush)
        {
            _armed = null;
        }

        Store.Dispose();
        Store = Open();
    }

    public void Dispose() => Store.Dispose();

    private ReplicaStore Open()
    {
        // Each opening gets its own deterministic random source (ids of new records).
        var store = ReplicaStore.Open(_options, Clock, new Random(unchecked((_seed * 1_000_003) + (Index * 7_919) + _opens++)));
        store.OutboxChanged += (_, _) => OutboxChanged?.Invoke(store);
        store.FaultPoints.OnHit = point =>
        {
            if (_armed == ReplicaCrashPoint.RecordingOutcomes && point == ReplicaFaultPoint.OutcomesBeforeCommit)
            {
                _armed = null;
                Counters.ReplicaCrashesBeforeCommit++;
                throw new SimulatedCrashException($"replica {Index} crashed at {point}");
            }
        };
        return store;
    }
}
