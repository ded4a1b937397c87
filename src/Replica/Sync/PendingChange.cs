using CrdtSync.Crdt.Versions;

namespace CrdtSync.Replica.Sync;

/// <summary>One outbox entry handed to the sync client to push: its canonical change bytes (<c>ChangeCodec</c>).</summary>
public sealed record PendingChange(long EntryId, ChangeId ChangeId, ReadOnlyMemory<byte> ChangeBytes);
