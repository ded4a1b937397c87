namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// The relay's PostgreSQL schema as an ordered list of migrations. Each runs once, in its own transaction, recorded in
/// <c>crdtsync_migrations</c>; an instance starting on an older database applies the missing ones under an advisory
/// lock, so several instances starting at once migrate exactly once.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The advisory lock key held while migrating ("crdtsync" in ASCII).</summary>
    public const long MigrationLockKey = 0x6372647473796E63;

    /// <summary>The migrations, version 1 first (2: the console's device activity and outcome tallies).</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE relay_state (
            id integer PRIMARY KEY CHECK (id = 1),
            replica_id bytea NOT NULL,
            log_head bigint NOT NULL DEFAULT 0,
            log_floor bigint NOT NULL DEFAULT 0,
            clock_last_time bigint NOT NULL DEFAULT 0,
            origin_sequence bigint NOT NULL DEFAULT 0);
        CREATE TABLE log (
            sequence bigint PRIMARY KEY,
            collection text NOT NULL,
            record_id text NOT NULL,
            change bytea NOT NULL);
        CREATE INDEX log_by_collection ON log (collection, sequence);
        CREATE TABLE records (
            collection text NOT NULL,
            record_id text NOT NULL,
            state bytea NOT NULL,
            last_live bytea,
            PRIMARY KEY (collection, record_id));
        CREATE TABLE outcomes (
            origin bytea NOT NULL,
            sequence bigint NOT NULL,
            collection text NOT NULL,
            record_id text NOT NULL,
            kind integer NOT NULL,
            reason text NOT NULL,
            message text NOT NULL,
            field text,
            log_sequence bigint NOT NULL,
            effect_sequence bigint NOT NULL,
            PRIMARY KEY (origin, sequence));
        CREATE TABLE devices (
            replica_id bytea PRIMARY KEY,
            user_name text NOT NULL,
            label text NOT NULL,
            token_hash bytea NOT NULL UNIQUE,
            created_at bigint NOT NULL,
            revoked boolean NOT NULL DEFAULT false);
        CREATE TABLE user_roles (
            user_name text NOT NULL,
            role text NOT NULL,
            PRIMARY KEY (user_name, role));
        """,
        """
        CREATE TABLE device_activity (
            replica_id bytea PRIMARY KEY,
            last_handshake_at bigint,
            cursor bigint,
            cursor_at bigint);
        CREATE TABLE outcome_tallies (
            minute bigint NOT NULL,
            kind integer NOT NULL,
            count bigint NOT NULL,
            PRIMARY KEY (minute, kind));
        """,
    ];

    public const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS crdtsync_migrations (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now());
        """;
}
