using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// What a role may do in one collection: read, write (create and edit), delete, which actions
/// (null = all), and an optional record filter <c>field = $user</c> that narrows every right to the
/// records whose <see cref="FilterField"/> holds the user's name.
/// </summary>
public sealed record CollectionGrant(bool Read, bool Write, bool Delete, IReadOnlySet<ActionName>? Actions, FieldName? FilterField)
{
    /// <summary>True when the grant allows <paramref name="action"/>.</summary>
    public bool AllowsAction(ActionName action) => Actions is null || Actions.Contains(action);
}
