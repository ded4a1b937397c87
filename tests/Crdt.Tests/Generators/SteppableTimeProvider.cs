namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>A fake wall clock that a test moves by hand, backwards as well as forwards.</summary>
public sealed class SteppableTimeProvider(long startMilliseconds) : TimeProvider
{
    /// <summary>The current reading, in Unix milliseconds.</summary>
    public long NowMilliseconds { get; set; } = startMilliseconds;

    /// <summary>Moves the clock by <paramref name="deltaMilliseconds"/> (negative steps it back), never before the epoch.</summary>
    public void Step(long deltaMilliseconds) => NowMilliseconds = Math.Max(0, NowMilliseconds + deltaMilliseconds);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMilliseconds);
}
