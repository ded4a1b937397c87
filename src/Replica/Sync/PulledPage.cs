using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// A page of the relay's log pulled for several subscriptions at once (one <c>Pull</c> response or one
/// <c>Subscribe</c> page): canonical changes (<c>ChangeCodec</c>) and whole record states (<c>RecordStateCodec</c>, sent
/// instead of changes to readers whose grant or subscription is filtered), the cursor after them, and whether the page
/// reached the relay's head. Applied in one transaction that also moves every named subscription's cursor.
/// </summary>
/// <param name="Subscriptions">The subscriptions the page was pulled for; their cursors move to <paramref name="Cursor"/> (never back).</param>
/// <param name="Changes">Change bytes, in log order.</param>
/// <param name="RecordStates">Record state bytes, merged with <c>RecordState.MergeFrom</c>.</param>
/// <param name="Cursor">The relay's <c>next_cursor</c>.</param>
/// <param name="ReachedHead">True when the page reached the relay's head: the subscriptions count as downloaded now.</param>
public sealed record PulledPage(
    IReadOnlyList<CollectionName> Subscriptions,
    IReadOnlyList<ReadOnlyMemory<byte>> Changes,
    IReadOnlyList<ReadOnlyMemory<byte>> RecordStates,
    long Cursor,
    bool ReachedHead);
