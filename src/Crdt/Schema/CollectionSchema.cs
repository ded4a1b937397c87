using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>The rules of one collection: its fields and its actions.</summary>
public sealed record CollectionSchema(
    CollectionName Name,
    IReadOnlyDictionary<FieldName, FieldSchema> Fields,
    IReadOnlyDictionary<ActionName, ActionDefinition> Actions);
