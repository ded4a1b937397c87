using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// A page of the log read in one consistent snapshot: the entries, and the <see cref="Head"/> (newest sequence) and
/// <see cref="Floor"/> (entries at or below it were compacted away) of that snapshot. When fewer than the limit
/// came back, every matching entry up to <see cref="Head"/> is in the page.
/// </summary>
public sealed record LogPage(IReadOnlyList<LogRow> Rows, long Head, long Floor);

/// <summary>One log entry: its sequence, record, encoded change, and (when asked) the record as stored now.</summary>
public sealed record LogRow(long Sequence, CollectionName Collection, RecordId RecordId, byte[] Change, StoredRecord? Record);

/// <summary>Records read in one consistent snapshot with the log <see cref="Head"/> of that snapshot.</summary>
public sealed record RecordSnapshot(IReadOnlyList<StoredRecord> Records, long Head);

/// <summary>Figures about the log.</summary>
public sealed record LogInfo(long Head, long Floor, long Length, long OutcomeCount);
