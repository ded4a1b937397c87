namespace CrdtSync.Relay.Authority;

/// <summary>A place in the relay's push path where a simulator may inject a failure (CrdtSync.Testing).</summary>
internal enum RelayFaultPoint
{
    /// <summary>Inside the push transaction, every change decided, before the commit: a failure here rolls the whole batch back.</summary>
    PushBeforeCommit,

    /// <summary>After the push transaction committed, before the outcomes are returned: the caller never hears the answer.</summary>
    PushAfterCommit,
}

/// <summary>
/// Fault hooks for deterministic simulation. <see cref="OnHit"/> is null in production (nothing happens); a simulator sets
/// it and throws from it to crash the relay at that point.
/// </summary>
internal sealed class RelayFaultPoints
{
    /// <summary>Called at every fault point; may throw.</summary>
    public Action<RelayFaultPoint>? OnHit { get; set; }

    /// <summary>Reports reaching <paramref name="point"/>.</summary>
    public void Hit(RelayFaultPoint point) => OnHit?.Invoke(point);
}
