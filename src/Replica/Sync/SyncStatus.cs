namespace CrdtSync.Replica.Sync;

/// <summary>
/// "Am I fully synced, and up to which point?": the client's state, the outbox, how far the replica has the relay's log,
/// and when it last heard from the relay.
/// </summary>
/// <param name="State">What the client is doing now.</param>
/// <param name="PendingCount">Outbox entries not yet answered by the relay (queued or in flight).</param>
/// <param name="ErrorCount">Outbox entries the relay refused, waiting for the user (resolve or discard).</param>
/// <param name="Cursor">The relay log sequence every subscription has received up to (the lowest subscription cursor).</param>
/// <param name="CaughtUp">True when the last read of the relay's log reached its head (at <see cref="LastContact"/>).</param>
/// <param name="LastContact">When the relay last answered, or null if never in this client's life.</param>
/// <param name="ClockSkew">The device clock minus the relay's at the last handshake (positive: ahead), or null before one.</param>
/// <param name="IsClockSkewTooLarge">True when the device clock is further ahead than the relay allows: its changes are refused until the clock is fixed.</param>
/// <param name="LastError">Why the last attempt failed, for a person, or null.</param>
/// <param name="NextAttemptIn">While <see cref="SyncState.Reconnecting"/>: the delay before the next attempt.</param>
public sealed record SyncStatus(
    SyncState State,
    int PendingCount,
    int ErrorCount,
    long Cursor,
    bool CaughtUp,
    DateTimeOffset? LastContact,
    TimeSpan? ClockSkew,
    bool IsClockSkewTooLarge,
    string? LastError,
    TimeSpan? NextAttemptIn)
{
    /// <summary>The status of a client that has done nothing yet.</summary>
    public static SyncStatus Initial { get; } = new(SyncState.Stopped, 0, 0, 0, false, null, null, false, null, null);

    /// <summary>True when nothing waits to be sent and the replica had the relay's whole log at <see cref="LastContact"/>.</summary>
    public bool IsFullySynced => PendingCount == 0 && CaughtUp;
}
