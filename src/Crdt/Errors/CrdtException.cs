namespace CrdtSync.Crdt.Errors;

/// <summary>
/// Base of every error the CRDT model reports for bad input. Each subclass says what was wrong
/// and what to do; none of them is ever thrown for a programmer error inside the model.
/// </summary>
public abstract class CrdtException : Exception
{
    /// <summary>Creates the error with a message a person can act on.</summary>
    protected CrdtException(string message, Exception? inner = null) : base(message, inner) { }
}
