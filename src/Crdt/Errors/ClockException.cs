namespace CrdtSync.Crdt.Errors;

/// <summary>
/// The hybrid logical clock cannot produce a stamp: its 16-bit counter would overflow within one
/// millisecond (the clock never wraps), or the wall clock is outside the 48-bit millisecond range.
/// Waiting for the wall clock to advance clears the first case.
/// </summary>
public sealed class ClockException : CrdtException
{
    /// <summary>Creates the error.</summary>
    public ClockException(string message) : base(message) { }
}
