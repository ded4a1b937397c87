namespace CrdtSync.Replica;

/// <summary>The SQLite <c>synchronous</c> setting of a replica database (always in WAL mode).</summary>
public enum CommitDurability
{
    /// <summary><c>synchronous=FULL</c>: a committed write survives a crash of the app, the OS and power loss.</summary>
    Full,
    /// <summary><c>synchronous=NORMAL</c>: a committed write survives a crash of the app; the last commits may be lost on power loss or an OS crash. Faster.</summary>
    Normal,
}
