using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>A role: a name and its grants per collection. A collection absent from <see cref="Grants"/> is not visible to the role.</summary>
public sealed record RoleDefinition(string Name, IReadOnlyDictionary<CollectionName, CollectionGrant> Grants);
