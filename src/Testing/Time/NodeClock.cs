namespace CrdtSync.Testing.Time;

/// <summary>
/// A node's wall clock in a simulation: true time plus an offset the simulator sets (skew; a smaller offset than
/// before is the clock stepping backwards). The monotonic timestamp follows true time, as a real monotonic clock does.
/// </summary>
public sealed class NodeClock(SimulatedWorld world) : TimeProvider
{
    /// <summary>How far this node's wall clock is from true time (positive: ahead).</summary>
    public TimeSpan Offset { get; set; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => world.Now + Offset;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => (world.Now - SimulatedWorld.Start).Ticks;
}
