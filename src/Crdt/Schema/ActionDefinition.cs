using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// A named guarded action of a collection: its guard, its effects, whether a replica may queue it
/// while offline, and the arguments it takes (with their types).
/// </summary>
public sealed record ActionDefinition(
    ActionName Name,
    ActionGuard Guard,
    IReadOnlyList<ActionEffect> Effects,
    bool AllowedOffline,
    IReadOnlyDictionary<FieldName, FieldSchema> Arguments)
{
    /// <summary>The built-in delete: the record exists and was not changed concurrently.</summary>
    public static ActionName DeleteName { get; } = new("delete");
}
