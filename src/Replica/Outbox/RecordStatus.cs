namespace CrdtSync.Replica.Outbox;

/// <summary>The sync status of a record as a UI shows it (DESIGN.md §4).</summary>
public enum RecordStatus
{
    /// <summary>No outbox entry: the record is the authority's state.</summary>
    Synced = 0,
    /// <summary>At least one entry is queued or in flight, none failed.</summary>
    Pending = 1,
    /// <summary>An entry failed in a way the user can resolve (conflict, invalid, clock skew). The record is locked.</summary>
    Conflict = 2,
    /// <summary>An entry failed in a way only a discard clears (deleted, forbidden). The record is locked.</summary>
    Error = 3,
}
