using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Cache;

/// <summary>
/// A collection this replica keeps offline, with an optional filter (<c>field = value</c>) the relay applies,
/// the pull cursor (a relay log sequence, opaque) and when it was last downloaded up to the relay's head.
/// </summary>
public sealed record Subscription(CollectionName Collection, FieldName? FilterField, string? FilterValue, long Cursor, DateTimeOffset? DownloadedAt);
