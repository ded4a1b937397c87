using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// The precondition of an action, checked by the authority against the record's current state:
/// the record exists (unless <see cref="RequiresExists"/> is false), each field of <see cref="FieldIn"/>
/// holds one of its listed values, and each field of <see cref="UnchangedSinceBase"/> has not been
/// written by anything the action's author had not seen.
/// </summary>
public sealed record ActionGuard(
    bool RequiresExists,
    IReadOnlyDictionary<FieldName, IReadOnlyList<Value>> FieldIn,
    IReadOnlyList<FieldName> UnchangedSinceBase)
{
    /// <summary>A guard that only requires the record to exist.</summary>
    public static ActionGuard Exists { get; } = new(true, new Dictionary<FieldName, IReadOnlyList<Value>>(), []);
}
