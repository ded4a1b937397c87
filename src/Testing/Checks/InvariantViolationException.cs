namespace CrdtSync.Testing.Checks;

/// <summary>A property of sync did not hold: the message names the property and what broke it.</summary>
public sealed class InvariantViolationException(string property, string message) : Exception($"[{property}] {message}")
{
    /// <summary>The property that failed (e.g. <c>convergence</c>, <c>one-outcome-per-change</c>).</summary>
    public string Property { get; } = property;
}
