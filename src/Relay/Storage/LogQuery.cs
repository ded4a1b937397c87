using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// What to read from the log: entries with a sequence greater than <see cref="After"/> in
/// <see cref="Collections"/>, at most <see cref="Limit"/>; with each entry's record when
/// <see cref="IncludeRecords"/> (needed to apply record filters).
/// </summary>
public sealed record LogQuery(long After, int Limit, IReadOnlyCollection<CollectionName> Collections, bool IncludeRecords);
