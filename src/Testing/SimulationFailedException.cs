namespace CrdtSync.Testing;

/// <summary>A schedule broke a property. The message says which, the seed that reproduces it, a one-line replay command and the shrunk schedule.</summary>
public sealed class SimulationFailedException : Exception
{
    /// <summary>Creates the failure report.</summary>
    public SimulationFailedException(int seed, Schedules.Schedule shrunk, string replayCommand, Exception failure)
        : base($"""
            Simulation failed: {failure.Message}
            reproduce with seed={seed}: {replayCommand}
            Shrunk to {shrunk.Steps.Count} steps (seed {shrunk.Seed}):
            {shrunk.Describe()}
            """, failure)
    {
        Seed = seed;
        Shrunk = shrunk;
        ReplayCommand = replayCommand;
    }

    /// <summary>The seed of the failing schedule.</summary>
    public int Seed { get; }

    /// <summary>The smallest schedule found that still fails the same way.</summary>
    public Schedules.Schedule Shrunk { get; }

    /// <summary>The one-line command that replays the failure.</summary>
    public string ReplayCommand { get; }
}
