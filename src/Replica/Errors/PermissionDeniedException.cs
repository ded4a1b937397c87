namespace CrdtSync.Replica.Errors;

/// <summary>The configured user's roles do not allow this operation on this record. Nothing was written.</summary>
public sealed class PermissionDeniedException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public PermissionDeniedException(string message) : base(message + " Ask an administrator for the role that grants it.") { }
}
