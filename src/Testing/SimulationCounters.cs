using System.Reflection;
using System.Text;

namespace CrdtSync.Testing;

/// <summary>
/// How often each rare path ran. A fixed-seed run asserts each is above zero, which proves the simulation exercised
/// it (a harness whose faults never fire proves nothing).
/// </summary>
public sealed class SimulationCounters
{
    /// <summary>Schedules run.</summary>
    public long Schedules { get; set; }
    /// <summary>Steps run (generated steps plus drain rounds).</summary>
    public long Steps { get; set; }
    /// <summary>Local writes the replica accepted.</summary>
    public long LocalWrites { get; set; }
    /// <summary>Local writes the replica refused (validation, permissions, not found, ...).</summary>
    public long LocalRefusals { get; set; }
    /// <summary>Local writes refused because the record was locked by an outbox error.</summary>
    public long LockedRefusals { get; set; }
    /// <summary>Requests that arrived twice.</summary>
    public long DuplicateDeliveries { get; set; }
    /// <summary>Requests held back and delivered after newer ones.</summary>
    public long ReorderedDeliveries { get; set; }
    /// <summary>Requests lost on the way.</summary>
    public long DroppedRequests { get; set; }
    /// <summary>Responses lost on the way.</summary>
    public long DroppedResponses { get; set; }
    /// <summary>Push responses lost after the relay committed accepted changes (the client must re-push and get the first outcome).</summary>
    public long DroppedResponsesAfterCommit { get; set; }
    /// <summary>Calls refused because the link was partitioned.</summary>
    public long PartitionedCalls { get; set; }
    /// <summary>Partitions healed.</summary>
    public long PartitionHeals { get; set; }
    /// <summary>Replica crashes (any point) followed by a reopen.</summary>
    public long ReplicaCrashes { get; set; }
    /// <summary>Replica crashes after the relay committed its push and before the response arrived.</summary>
    public long ReplicaCrashesMidPush { get; set; }
    /// <summary>Replica crashes inside a sync transaction, before its commit.</summary>
    public long ReplicaCrashesBeforeCommit { get; set; }
    /// <summary>Replica crashes after a pull or snapshot arrived, before its apply committed.</summary>
    public long ReplicaCrashesApplyingPull { get; set; }
    /// <summary>Relay crashes (any point) followed by a reopen.</summary>
    public long RelayCrashes { get; set; }
    /// <summary>Relay crashes inside a push transaction, before its commit.</summary>
    public long RelayCrashesBeforeCommit { get; set; }
    /// <summary>Relay crashes after a push commit, before the response.</summary>
    public long RelayCrashesAfterCommit { get; set; }
    /// <summary>Outcomes answered from the stored first outcome (re-pushes).</summary>
    public long RepeatedPushOutcomes { get; set; }
    /// <summary>Accepted changes.</summary>
    public long AcceptedChanges { get; set; }
    /// <summary>Guarded actions the relay refused (conflict: guard failed, not found, changed since base).</summary>
    public long RejectedActions { get; set; }
    /// <summary>Refusals of any kind.</summary>
    public long RefusedChanges { get; set; }
    /// <summary>Clock-skew refusals.</summary>
    public long ClockSkewRefusals { get; set; }
    /// <summary>Replica clocks stepped backwards.</summary>
    public long ClockStepsBackwards { get; set; }
    /// <summary>Read access withdrawn from a replica (records purged).</summary>
    public long Revocations { get; set; }
    /// <summary>Outbox errors retried by a simulated user.</summary>
    public long Retries { get; set; }
    /// <summary>Outbox entries discarded by a simulated user.</summary>
    public long Discards { get; set; }
    /// <summary>Pulled entries (changes and record states) the relay sent.</summary>
    public long PulledChanges { get; set; }
    /// <summary>Pulled entries that carried a whole record state (a collection read through a record filter).</summary>
    public long RecordStatesPulled { get; set; }
    /// <summary>Snapshots the relay sent (first downloads, access narrowed to a filter, resyncs).</summary>
    public long Snapshots { get; set; }
    /// <summary>Log compactions at the relay.</summary>
    public long LogCompactions { get; set; }
    /// <summary>Pulls answered <c>resync_required</c> (the cursor was behind the compacted log).</summary>
    public long ResyncsRequired { get; set; }

    /// <summary>Anti-entropy rounds over a peer link that completed.</summary>
    public long PeerSyncs { get; set; }
    /// <summary>Change ids a replica took in from a peer (merged or recorded as skipped).</summary>
    public long PeerChangesReceived { get; set; }
    /// <summary>Peer rounds that failed because the link was cut.</summary>
    public long PeerPartitionedCalls { get; set; }
    /// <summary>Peer links healed.</summary>
    public long PeerPartitionHeals { get; set; }
    /// <summary>Upserts the relay refused that a peer had already merged (the relay's compensation must undo them everywhere).</summary>
    public long RefusedChangesPeersMerged { get; set; }
    /// <summary>Peer changes a replica did not take in because their stamp was beyond its clock-skew bound (asked for again later).</summary>
    public long PeerChangesTooFarAhead { get; set; }

    /// <summary>The counters only a schedule with peer links (<see cref="OperationMix.PeerSync"/>) moves.</summary>
    public static IReadOnlySet<string> PeerLinkCounters { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(PeerSyncs), nameof(PeerChangesReceived), nameof(PeerPartitionedCalls), nameof(PeerPartitionHeals), nameof(RefusedChangesPeersMerged),
        nameof(PeerChangesTooFarAhead),
    };

    /// <summary>Adds <paramref name="other"/> to these counters.</summary>
    public void Add(SimulationCounters other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var property in Properties)
        {
            property.SetValue(this, (long)property.GetValue(this)! + (long)property.GetValue(other)!);
        }
    }

    /// <summary>Every counter by name.</summary>
    public IReadOnlyDictionary<string, long> ToDictionary() => Properties.ToDictionary(p => p.Name, p => (long)p.GetValue(this)!);

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in ToDictionary())
        {
            text.Append(name).Append('=').Append(value).Append(' ');
        }

        return text.ToString().TrimEnd();
    }

    private static PropertyInfo[] Properties { get; } = typeof(SimulationCounters).GetProperties().Where(p => p.PropertyType == typeof(long)).ToArray();
}
