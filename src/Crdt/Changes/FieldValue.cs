using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Changes;

/// <summary>One field of an upsert, or one argument of an action.</summary>
public readonly record struct FieldValue(FieldName Name, Value Value);
