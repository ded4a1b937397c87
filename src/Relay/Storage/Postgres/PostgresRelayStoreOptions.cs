namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>Settings of <see cref="PostgresRelayStore"/> (filled from <c>Relay:PostgresConnectionString</c> by the host).</summary>
public sealed class PostgresRelayStoreOptions
{
    /// <summary>The Npgsql connection string. <c>synchronous_commit=on</c> is forced on every connection the store opens.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>How many times a write transaction runs at most when PostgreSQL aborts it (deadlock, serialization failure, a racing insert).</summary>
    public int WriteAttemptsMax { get; set; } = 8;

    /// <summary>
    /// A test hook: awaited after a write transaction has written everything and before it commits (tests delay commits
    /// at random with it to show that log cursors never skip a late commit). Null in production.
    /// </summary>
    public Func<CancellationToken, ValueTask>? BeforeCommitAsync { get; set; }

    /// <summary>Faults built in on purpose for the canary tests (<see cref="PostgresStoreFaults"/>); none in production.</summary>
    internal PostgresStoreFaults Faults { get; set; }
}
