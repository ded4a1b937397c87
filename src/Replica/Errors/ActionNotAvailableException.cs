using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Errors;

/// <summary>
/// The action does not exist, its guard does not hold on the record as this device sees it, its arguments are wrong,
/// or it may only be performed online and the replica is offline. Nothing was written.
/// </summary>
public sealed class ActionNotAvailableException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public ActionNotAvailableException(ActionName action, string reason, string message) : base(message)
    {
        Action = action;
        Reason = reason;
    }

    /// <summary>The action asked for.</summary>
    public ActionName Action { get; }

    /// <summary>The machine reason: <c>unknown_action</c>, <c>guard_failed</c>, <c>online_only</c>, <c>unknown_argument</c>, <c>rule</c>, <c>required</c>, <c>not_found</c>.</summary>
    public string Reason { get; }
}
