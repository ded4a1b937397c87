namespace CrdtSync.Bench.Workloads;

/// <summary>
/// A fake wall clock that advances one millisecond per read, so a hybrid logical clock over it behaves
/// like a Lamport clock that ticks once per local operation (WORKLOADS.md section 9).
/// </summary>
internal sealed class SteppingTimeProvider(long startUnixMilliseconds) : TimeProvider
{
    private long _next = startUnixMilliseconds;

    /// <summary>What the next read returns.</summary>
    public long NextMilliseconds => _next;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(_next++);
}
