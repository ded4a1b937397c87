namespace CrdtSync.Replica.Errors;

/// <summary>Base of every error the replica reports for a request it cannot carry out. The message says what to do.</summary>
public abstract class ReplicaException : Exception
{
    /// <summary>Creates the error.</summary>
    protected ReplicaException(string message, Exception? inner = null) : base(message, inner) { }
}
