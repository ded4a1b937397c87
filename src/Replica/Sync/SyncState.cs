namespace CrdtSync.Replica.Sync;

/// <summary>What the sync client is doing now.</summary>
public enum SyncState
{
    /// <summary>Not started, or stopped.</summary>
    Stopped,
    /// <summary>The replica is in explicit offline mode: no network at all; changes queue.</summary>
    Offline,
    /// <summary>Handshaking with the relay.</summary>
    Connecting,
    /// <summary>Downloading the offline cache (snapshot, then pull pages up to the relay's head).</summary>
    Downloading,
    /// <summary>Connected: changes are pushed as soon as they are made, and the relay's changes arrive live.</summary>
    Live,
    /// <summary>The relay cannot be reached: waiting before the next attempt (see <see cref="SyncStatus.NextAttemptIn"/>).</summary>
    Reconnecting,
    /// <summary>
    /// The relay refused the device itself (token unknown or revoked, wrong device for this file, a bad request): retrying
    /// cannot help until the app fixes it; <see cref="SyncStatus.LastError"/> says why. A new <c>SyncAllAsync</c> or a
    /// restart tries again.
    /// </summary>
    Failed,
}
