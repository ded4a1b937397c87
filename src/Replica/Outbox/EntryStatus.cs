namespace CrdtSync.Replica.Outbox;

/// <summary>Where an outbox entry stands. Values above <see cref="InFlight"/> are errors that lock the record.</summary>
public enum EntryStatus
{
    /// <summary>Waiting to be pushed.</summary>
    Queued = 0,
    /// <summary>Handed to the sync client; no outcome yet.</summary>
    InFlight = 1,
    /// <summary>The authority refused it: a guard no longer holds or a manual field changed. Resolve or discard.</summary>
    Conflict = 2,
    /// <summary>The authority refused it: a schema or validation rule fails. Resolve (edit) or discard.</summary>
    Invalid = 3,
    /// <summary>The authority refused it: the record was deleted. Discard only.</summary>
    Deleted = 4,
    /// <summary>The authority refused it, or read access was revoked: the user may not do this. Discard only.</summary>
    Forbidden = 5,
    /// <summary>The authority refused it: the device clock was too far ahead. Fix the clock, then retry.</summary>
    ClockSkew = 6,
}
