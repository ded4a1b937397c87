namespace CrdtSync.Replica.Sync;

/// <summary>
/// Reconnect delays: exponential from <c>min</c> (doubling per attempt) up to <c>max</c>, with "equal jitter" (a delay
/// is uniformly drawn between half the step and the step) from the injected random source, so many devices that lost
/// the same relay do not come back in lockstep.
/// </summary>
internal sealed class Backoff(TimeSpan min, TimeSpan max, Random random)
{
    private readonly Lock _lock = new();

    /// <summary>The delay before retry number <paramref name="attempt"/> (0 for the first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        var step = min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(Math.Max(step, min.TotalMilliseconds), Math.Max(max.TotalMilliseconds, min.TotalMilliseconds));
        double draw;
        lock (_lock)
        {
            draw = random.NextDouble();
        }

        return TimeSpan.FromMilliseconds((capped / 2) + (draw * capped / 2));
    }
}
