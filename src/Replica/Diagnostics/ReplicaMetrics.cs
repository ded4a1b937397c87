using System.Diagnostics.Metrics;

namespace CrdtSync.Replica.Diagnostics;

/// <summary>The replica's counters, on the meter <c>CrdtSync.Replica</c>.</summary>
internal static class ReplicaMetrics
{
    public const string MeterName = "CrdtSync.Replica";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Local changes committed to the outbox.</summary>
    public static readonly Counter<long> LocalWrites = Meter.CreateCounter<long>("crdtsync.replica.local_writes", "{change}");

    /// <summary>Pulled changes merged.</summary>
    public static readonly Counter<long> PulledChanges = Meter.CreateCounter<long>("crdtsync.replica.pulled_changes", "{change}");

    /// <summary>Push outcomes recorded, tagged with <c>outcome</c>.</summary>
    public static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("crdtsync.replica.outcomes", "{outcome}");
}
