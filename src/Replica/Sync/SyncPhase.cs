namespace CrdtSync.Replica.Sync;

/// <summary>Which part of a sync round a <see cref="SyncProgress"/> is about.</summary>
public enum SyncPhase
{
    /// <summary>Downloading whole record states (first download, or after "resync required").</summary>
    Snapshot,
    /// <summary>Pulling log pages up to the relay's head.</summary>
    Pull,
    /// <summary>Pushing outbox entries.</summary>
    Push,
    /// <summary>Receiving the relay's live tail.</summary>
    Live,
}
