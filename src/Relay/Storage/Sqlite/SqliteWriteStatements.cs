using Microsoft.Data.Sqlite;

namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>
/// The prepared statements of the store's one writer connection, made once and reused by every write transaction
/// (SQLite compiles a statement once; binding new values is cheap). Used only under the store's write lock.
/// </summary>
internal sealed class SqliteWriteStatements : IDisposable
{
    private readonly List<SqliteCommand> _all = [];

    public SqliteWriteStatements(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        FindOutcome = Make(connection, "SELECT collection, record_id, kind, reason, message, field, log_sequence, effect_sequence FROM outcomes WHERE origin = $o AND sequence = $s",
            ("$o", SqliteType.Blob), ("$s", SqliteType.Integer));
        LoadRecord = Make(connection, "SELECT state, last_live FROM records WHERE collection = $c AND record_id = $r", ("$c", SqliteType.Text), ("$r", SqliteType.Text));
        InsertLog = Make(connection, "INSERT INTO log (sequence, collection, record_id, change) VALUES ($s, $c, $r, $b)",
            ("$s", SqliteType.Integer), ("$c", SqliteType.Text), ("$r", SqliteType.Text), ("$b", SqliteType.Blob));
        ReadLogEntry = Make(connection, "SELECT change FROM log WHERE sequence = $s", ("$s", SqliteType.Integer));
        SaveRecord = Make(connection, """
            INSERT INTO records (collection, record_id, state, last_live) VALUES ($c, $r, $s, $l)
            ON CONFLICT (collection, record_id) DO UPDATE SET state = excluded.state, last_live = excluded.last_live
            """, ("$c", SqliteType.Text), ("$r", SqliteType.Text), ("$s", SqliteType.Blob), ("$l", SqliteType.Blob));
        SaveOutcome = Make(connection, """
            INSERT INTO outcomes (origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence)
            VALUES ($o, $s, $c, $r, $k, $reason, $message, $field, $log, $effect)
            """, ("$o", SqliteType.Blob), ("$s", SqliteType.Integer), ("$c", SqliteType.Text), ("$r", SqliteType.Text), ("$k", SqliteType.Integer),
            ("$reason", SqliteType.Text), ("$message", SqliteType.Text), ("$field", SqliteType.Text), ("$log", SqliteType.Integer), ("$effect", SqliteType.Integer));
    }

    /// <summary>The outcome recorded for a change id.</summary>
    public SqliteCommand FindOutcome { get; }

    /// <summary>A record's state and last live state.</summary>
    public SqliteCommand LoadRecord { get; }

    /// <summary>Inserts one log entry.</summary>
    public SqliteCommand InsertLog { get; }

    /// <summary>One log entry's change bytes.</summary>
    public SqliteCommand ReadLogEntry { get; }

    /// <summary>Inserts or replaces a record.</summary>
    public SqliteCommand SaveRecord { get; }

    /// <summary>Inserts an outcome.</summary>
    public SqliteCommand SaveOutcome { get; }

    /// <summary>Binds every statement to <paramref name="transaction"/> (the writer's current transaction).</summary>
    public void Use(SqliteTransaction transaction)
    {
        foreach (var command in _all)
        {
            command.Transaction = transaction;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }

        _all.Clear();
    }

    private SqliteCommand Make(SqliteConnection connection, string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        _all.Add(command);
        return command;
    }
}
