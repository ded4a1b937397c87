using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>
/// A local write breaks a rule the replica can check for certain: an unknown field, a wrong type or range,
/// a missing required field, an edit of a field only actions change. Nothing was written.
/// </summary>
public sealed class InvalidChangeException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public InvalidChangeException(string reason, string message, FieldName? field = null) : base(message)
    {
        Reason = reason;
        Field = field;
    }

    /// <summary>The machine reason (the same codes the relay uses: <c>unknown_field</c>, <c>rule</c>, <c>required</c>, <c>guarded_field</c>, ...).</summary>
    public string Reason { get; }

    /// <summary>The field at fault, when one is.</summary>
    public FieldName? Field { get; }
}
