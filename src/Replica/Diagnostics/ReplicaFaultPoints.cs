namespace CrdtSync.Replica.Diagnostics;

/// <summary>A place in the replica's sync path where a simulator may inject a crash (CrdtSync.Testing).</summary>
internal enum ReplicaFaultPoint
{
    /// <summary>Outcomes recorded inside the transaction, before its commit: a crash here loses them all.</summary>
    OutcomesBeforeCommit,

    /// <summary>Outcomes committed, before the call returns.</summary>
    OutcomesAfterCommit,

    /// <summary>A pulled batch merged inside the transaction, before its commit (cursor not moved).</summary>
    PullBeforeCommit,
}

/// <summary>
/// Fault hooks for deterministic simulation: <see cref="OnHit"/> is null in production; a simulator sets it and
/// throws from it to crash the replica at that point (then reopens the file).
/// </summary>
internal sealed class ReplicaFaultPoints
{
    /// <summary>Called at every fault point; may throw.</summary>
    public Action<ReplicaFaultPoint>? OnHit { get; set; }

    /// <summary>Reports reaching <paramref name="point"/>.</summary>
    public void Hit(ReplicaFaultPoint point) => OnHit?.Invoke(point);
}
