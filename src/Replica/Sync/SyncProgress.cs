namespace CrdtSync.Replica.Sync;

/// <summary>Progress of a download or a push, raised after each page or batch is committed to the replica.</summary>
/// <param name="Phase">Snapshot, pull, push or live.</param>
/// <param name="Collections">The subscriptions concerned (empty for a push).</param>
/// <param name="Received">Records (snapshot) or log entries (pull, live) applied so far in this phase.</param>
/// <param name="Pushed">Changes pushed so far in this round (push).</param>
/// <param name="Cursor">The cursor reached.</param>
/// <param name="LogHead">The relay's log head at the last handshake (to show "cursor of head").</param>
public sealed record SyncProgress(SyncPhase Phase, IReadOnlyList<string> Collections, long Received, long Pushed, long Cursor, long LogHead);
