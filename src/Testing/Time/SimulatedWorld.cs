namespace CrdtSync.Testing.Time;

/// <summary>True time of a simulation: it starts at a fixed instant and moves only when the simulator advances it.</summary>
public sealed class SimulatedWorld
{
    /// <summary>The instant every simulation starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>True time now.</summary>
    public DateTimeOffset Now { get; private set; } = Start;

    /// <summary>Lets <paramref name="elapsed"/> pass (never backwards).</summary>
    public void Advance(TimeSpan elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, TimeSpan.Zero);
        Now += elapsed;
    }
}
