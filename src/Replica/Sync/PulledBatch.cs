using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// A page of changes pulled for one subscription: canonical change bytes (<c>ChangeCodec</c>), the cursor
/// after them, and whether the page reached the relay's head (then the subscription counts as downloaded now).
/// </summary>
public sealed record PulledBatch(CollectionName Subscription, IReadOnlyList<ReadOnlyMemory<byte>> Changes, long Cursor, bool ReachedHead);
