namespace CrdtSync.Replica.Storage;

/// <summary>
/// The schema of a replica database, as numbered migrations. <c>PRAGMA user_version</c> holds the number
/// of migrations applied; each runs in its own transaction with the version bump. Never edit a released
/// migration: add a new one.
/// </summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // 1: identity, settings, records, outbox, subscriptions.
        """
        CREATE TABLE replica_identity (
            singleton     INTEGER PRIMARY KEY CHECK (singleton = 0),
            replica_id    BLOB    NOT NULL CHECK (length(replica_id) = 16),
            last_sequence INTEGER NOT NULL,
            clock_time    INTEGER NOT NULL
        );
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE records (
            collection     TEXT    NOT NULL,
            record_id      TEXT    NOT NULL,
            confirmed      BLOB,
            visible        BLOB,
            visible_exists INTEGER NOT NULL,
            status         INTEGER NOT NULL,
            PRIMARY KEY (collection, record_id)
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            entry_id        INTEGER PRIMARY KEY AUTOINCREMENT,
            collection      TEXT    NOT NULL,
            record_id       TEXT    NOT NULL,
            change_sequence INTEGER NOT NULL UNIQUE,
            kind            INTEGER NOT NULL,
            created_ms      INTEGER NOT NULL,
            change          BLOB    NOT NULL,
            overlay         BLOB,
            status          INTEGER NOT NULL,
            reason          TEXT,
            message         TEXT,
            authority_state BLOB,
            attempts        INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX outbox_by_record ON outbox (collection, record_id, entry_id);
        CREATE TABLE subscriptions (
            collection    TEXT PRIMARY KEY,
            filter_field  TEXT,
            filter_value  TEXT,
            cursor        INTEGER NOT NULL DEFAULT 0,
            downloaded_ms INTEGER
        ) WITHOUT ROWID;
        """,

        // 2: a local edit writes fewer pages. The outbox drops AUTOINCREMENT (its sqlite_sequence row was one more page per
        // edit) and the unique index on change_sequence (one more index page per edit). A new entry takes its change's
        // sequence as its id: sequences only grow and are never reused, so ids stay unique and in creation order, and an
        // outcome finds its entry by primary key. Only an entry re-stamped by a retry has change_sequence <> entry_id;
        // a partial index (written only for those) finds it by its new sequence. Ids of existing entries are kept.
        """
        CREATE TABLE outbox_v2 (
            entry_id        INTEGER PRIMARY KEY,
            collection      TEXT    NOT NULL,
            record_id       TEXT    NOT NULL,
            change_sequence INTEGER NOT NULL,
            kind            INTEGER NOT NULL,
            created_ms      INTEGER NOT NULL,
            change          BLOB    NOT NULL,
            overlay         BLOB,
            status          INTEGER NOT NULL,
            reason          TEXT,
            message         TEXT,
            authority_state BLOB,
            attempts        INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO outbox_v2 (entry_id, collection, record_id, change_sequence, kind, created_ms, change, overlay, status, reason, message, authority_state, attempts)
            SELECT entry_id, collection, record_id, change_sequence, kind, created_ms, change, overlay, status, reason, message, authority_state, attempts FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v2 RENAME TO outbox;
        CREATE INDEX outbox_by_record ON outbox (collection, record_id, entry_id);
        CREATE INDEX outbox_restamped ON outbox (change_sequence) WHERE change_sequence <> entry_id;
        """,

        // 3: the peer change store (docs/design/peers.md): every change id this replica can vouch for (change NULL: known
        // but not shared among peers), the per-origin contiguous vector, the changes held above a gap, and the ids the
        // relay's log delivered. IF NOT EXISTS: files from before this migration created the first three on first peer
        // use, and keep what they hold.
        """
        CREATE TABLE IF NOT EXISTS peer_changes (
            origin   BLOB    NOT NULL,
            sequence INTEGER NOT NULL,
            change   BLOB,
            PRIMARY KEY (origin, sequence)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS peer_held (
            origin   BLOB    NOT NULL,
            sequence INTEGER NOT NULL,
            change   BLOB,
            PRIMARY KEY (origin, sequence)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS peer_contiguous (
            origin   BLOB PRIMARY KEY,
            sequence INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS peer_from_relay (
            origin   BLOB    NOT NULL,
            sequence INTEGER NOT NULL,
            PRIMARY KEY (origin, sequence)
        ) WITHOUT ROWID;
        """,
    ];
}
