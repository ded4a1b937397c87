namespace CrdtSync.Replica.Sync;

/// <summary>What one forced round (<see cref="SyncClient.SyncAllAsync"/>) did.</summary>
/// <param name="Pushed">Changes sent to the relay.</param>
/// <param name="Accepted">Of them, accepted.</param>
/// <param name="Refused">Of them, refused (conflict, invalid, deleted, forbidden, clock skew): see the outbox.</param>
/// <param name="Pulled">Records and log entries received and merged.</param>
/// <param name="Cursor">The cursor every subscription has reached.</param>
/// <param name="CaughtUp">True when the round reached the relay's head.</param>
/// <param name="PendingCount">Outbox entries still not answered after the round (made during it).</param>
public sealed record SyncReport(int Pushed, int Accepted, int Refused, long Pulled, long Cursor, bool CaughtUp, int PendingCount);
