using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica.Errors;

/// <summary>
/// A replica file and a device identity disagree: the file was made for another device id than the one asked for
/// (<see cref="ReplicaOptions.ReplicaId"/>) or than the one the relay's token belongs to (the handshake's device id).
/// A token is bound to one replica id: use the token made for this file, or create a new file for this token.
/// </summary>
public sealed class ReplicaIdentityMismatchException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public ReplicaIdentityMismatchException(ReplicaId fileId, ReplicaId deviceId)
        : base($"This replica file belongs to device {fileId}, but the device identity given is {deviceId}. Use the token made for this file, or create a new replica file for this token (docs/sync.md).")
    {
        FileId = fileId;
        DeviceId = deviceId;
    }

    /// <summary>The id kept in the replica file.</summary>
    public ReplicaId FileId { get; }

    /// <summary>The device id asked for (options or the relay's handshake).</summary>
    public ReplicaId DeviceId { get; }
}
