namespace CrdtSync.Testing;

/// <summary>
/// Relative weights of the steps a generated schedule holds (0 turns a kind off). The defaults make faults common
/// enough that every rare path runs in a few dozen schedules.
/// </summary>
public sealed class OperationMix
{
    /// <summary>Creates of a record slot.</summary>
    public int Create { get; set; } = 3;
    /// <summary>Edits of some fields.</summary>
    public int Update { get; set; } = 8;
    /// <summary>Guarded actions of the collection.</summary>
    public int Action { get; set; } = 4;
    /// <summary>Deletes.</summary>
    public int Delete { get; set; } = 1;
    /// <summary>The user retries or discards an outbox error.</summary>
    public int Resolve { get; set; } = 2;
    /// <summary>A sync round of one replica.</summary>
    public int Sync { get; set; } = 8;
    /// <summary>Role grants and revocations at the relay.</summary>
    public int Grant { get; set; } = 1;
    /// <summary>Partitions and heals.</summary>
    public int Partition { get; set; } = 1;
    /// <summary>Dropped, duplicated and delayed messages.</summary>
    public int NetworkFault { get; set; } = 4;
    /// <summary>Deliveries of delayed messages.</summary>
    public int DeliverDelayed { get; set; } = 1;
    /// <summary>Replica crashes (between steps, mid-push, mid-commit).</summary>
    public int CrashReplica { get; set; } = 1;
    /// <summary>Relay crashes (between steps, before and after a push commit).</summary>
    public int CrashRelay { get; set; } = 1;
    /// <summary>Clock skew, drift and steps backwards.</summary>
    public int Clock { get; set; } = 2;
    /// <summary>Time passing.</summary>
    public int AdvanceTime { get; set; } = 2;
    /// <summary>Log compactions at the relay (replicas behind the new floor must resync from a snapshot).</summary>
    public int CompactLog { get; set; } = 1;
    /// <summary>Anti-entropy rounds between two replicas over their peer link (0 by default: peer links are opt-in, see docs/testing.md).</summary>
    public int PeerSync { get; set; }
    /// <summary>Peer links cut and healed.</summary>
    public int PeerPartition { get; set; }
}
