using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// The relay withdrew read access: to a whole collection (<see cref="RecordIds"/> null; the subscription is dropped too)
/// or to some of its records (a filter no longer matches).
/// </summary>
public sealed record Revocation(CollectionName Collection, IReadOnlyList<RecordId>? RecordIds = null);
