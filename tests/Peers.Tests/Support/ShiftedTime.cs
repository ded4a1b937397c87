namespace CrdtSync.Peers.Tests.Support;

/// <summary>The system clock shifted by <see cref="Offset"/>, which a test moves (a device clock running ahead, or time passing).</summary>
public sealed class ShiftedTime : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
