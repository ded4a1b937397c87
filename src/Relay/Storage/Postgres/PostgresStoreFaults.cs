namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// Faults the PostgreSQL store can be built with on purpose, for the canary tests only (STYLE.md habit 8: a canary
/// proves the checker can fail). Internal: no user can set them, and production runs with <see cref="None"/>, where
/// each costs one flag test per write transaction.
/// </summary>
[Flags]
internal enum PostgresStoreFaults
{
    /// <summary>The store as designed.</summary>
    None = 0,

    /// <summary>
    /// Takes no record advisory locks: two transactions deciding guarded changes on the same record both read it as
    /// it was before either committed, so a guarded race can be accepted twice.
    /// </summary>
    SkipRecordLocks = 1,

    /// <summary>
    /// Numbers log entries from a plain PostgreSQL <c>SEQUENCE</c> taken when the entries are appended, with no state
    /// row lock, and reads the log head as the highest committed sequence: the classic change-feed bug, where a
    /// transaction that commits late holds a lower sequence than one a reader has already passed.
    /// </summary>
    NumberLogFromPlainSequence = 2,
}
