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
}
