namespace CrdtSync.Relay.Authority;

/// <summary>What a replica asks to receive: a collection, optionally only records whose field equals a value (<c>$user</c>: the caller).</summary>
public sealed record SubscriptionSpec(string Collection, string? FilterField = null, string? FilterEquals = null);

/// <summary>One entry of a pull: the change as committed, or (for filtered readers) the record's current state.</summary>
public sealed record PulledEntry(long Sequence, byte[]? Change, byte[]? RecordState);

/// <summary>A page of a pull.</summary>
public sealed record PullResult(IReadOnlyList<PulledEntry> Entries, long NextCursor, bool CaughtUp, bool ResyncRequired);

/// <summary>Readable record states and the cursor to pull from afterwards.</summary>
public sealed record SnapshotResult(IReadOnlyList<byte[]> Records, long Cursor);
