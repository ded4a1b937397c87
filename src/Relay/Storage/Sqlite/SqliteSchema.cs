namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>The relay's SQLite schema (version 1; the console's <c>device_activity</c> and <c>outcome_tallies</c> tables are created on an existing file too).</summary>
internal static class SqliteSchema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS log (
            sequence INTEGER PRIMARY KEY,
            collection TEXT NOT NULL,
            record_id TEXT NOT NULL,
            change BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS log_by_collection ON log (collection, sequence);
        CREATE TABLE IF NOT EXISTS records (
            collection TEXT NOT NULL,
            record_id TEXT NOT NULL,
            state BLOB NOT NULL,
            last_live BLOB,
            PRIMARY KEY (collection, record_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outcomes (
            origin BLOB NOT NULL,
            sequence INTEGER NOT NULL,
            collection TEXT NOT NULL,
            record_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            field TEXT,
            log_sequence INTEGER NOT NULL,
            effect_sequence INTEGER NOT NULL,
            PRIMARY KEY (origin, sequence)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS devices (
            replica_id BLOB PRIMARY KEY,
            user_name TEXT NOT NULL,
            label TEXT NOT NULL,
            token_hash BLOB NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS user_roles (
            user_name TEXT NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (user_name, role)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS device_activity (
            replica_id BLOB PRIMARY KEY,
            last_handshake_at INTEGER,
            cursor INTEGER,
            cursor_at INTEGER) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outcome_tallies (
            minute INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (minute, kind)) WITHOUT ROWID;
        """;
}
