using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica;

/// <summary>Where and how a replica keeps its database. Bind with the Options pattern or set in code.</summary>
public sealed class ReplicaOptions
{
    /// <summary>The SQLite file of this replica. Created with its folder when missing.</summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>
    /// How hard each commit waits for the disk. <see cref="CommitDurability.Full"/> (the default) survives
    /// power loss; <see cref="CommitDurability.Normal"/> survives a crash of the app but may lose the last
    /// commits on power loss (see docs/replica.md).
    /// </summary>
    public CommitDurability Durability { get; set; } = CommitDurability.Full;

    /// <summary>
    /// The replica id to give a database when it is created: the device id the relay's admin made for this device
    /// (<c>CreateDevice</c>), so the file and its token agree (docs/sync.md). Null (the default): a random id from the
    /// injected <see cref="Random"/>. When the file exists with another id, opening it is refused
    /// (<see cref="Errors.ReplicaIdentityMismatchException"/>).
    /// </summary>
    public ReplicaId? ReplicaId { get; set; }
}
