using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// A whole download of the relay's current states for some subscriptions (every <c>Snapshot</c> page gathered): every
/// record the user may read in them, tombstones included, and the cursor to pull from afterwards. Applied in one
/// transaction: the states merge into the confirmed states, the cursors are set to <paramref name="Cursor"/>, the
/// subscriptions count as downloaded now, and a confirmed record of these collections that the snapshot does not hold is
/// no longer readable (it left a filter, or access was withdrawn): it is purged like a revocation.
/// </summary>
/// <param name="Subscriptions">The collections the snapshot covers completely.</param>
/// <param name="RecordStates">Record state bytes (<c>RecordStateCodec</c>).</param>
/// <param name="Cursor">The log sequence the snapshot was read at.</param>
public sealed record SnapshotBatch(IReadOnlyList<CollectionName> Subscriptions, IReadOnlyList<ReadOnlyMemory<byte>> RecordStates, long Cursor);
