namespace CrdtSync.Replica.Sync;

/// <summary>How many outbox entries wait to be sent (queued or in flight) and how many are errors waiting for the user.</summary>
/// <param name="Pending">Queued or in flight: the relay has not answered them yet.</param>
/// <param name="Errors">Refused (conflict, invalid, deleted, forbidden, clock skew): they wait for a resolve or a discard.</param>
/// <param name="ClockSkew">Of the errors, those refused for clock skew: retried by the sync client once the clock is sane.</param>
public readonly record struct OutboxCounts(int Pending, int Errors, int ClockSkew);
