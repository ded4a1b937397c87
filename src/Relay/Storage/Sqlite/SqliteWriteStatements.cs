using Microsoft.Data.Sqlite;

namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>
/// The prepared statements of the store's one writer connection, made once and reused by every write transaction
/// (SQLite compiles a statement once; binding new values is cheap). Bulk reads and writes take up to
/// <see cref="RowsPerStatement"/> rows per statement: a push of 1,000 changes costs tens of statements, not thousands.
/// Used only under the store's write lock.
/// </summary>
internal sealed class SqliteWriteStatements : IDisposable
{
    /// <summary>The most rows one bulk statement reads or writes.</summary>
    public const int RowsPerStatement = 16;

    private static readonly SqliteType[] LogColumns = [SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Blob];
    private static readonly SqliteType[] RecordColumns = [SqliteType.Text, SqliteType.Text, SqliteType.Blob, SqliteType.Blob];
    private static readonly SqliteType[] OutcomeColumns =
        [SqliteType.Blob, SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Integer];

    private static readonly SqliteType[] AcceptedColumns = [SqliteType.Integer, SqliteType.Text, SqliteType.Text, SqliteType.Integer, SqliteType.Integer];

    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _all = [];
    private readonly Dictionary<(string Kind, int Rows), SqliteCommand> _bulk = [];
    private SqliteTransaction? _transaction;

    public SqliteWriteStatements(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        FindOutcomesOfOrigin = Make(connection,
            "SELECT sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence FROM outcomes WHERE origin = $o AND sequence BETWEEN $from AND $to",
            ("$o", SqliteType.Blob), ("$from", SqliteType.Integer), ("$to", SqliteType.Integer));
        FindOutcome = Make(connection, "SELECT collection, record_id, kind, reason, message, field, log_sequence, effect_sequence FROM outcomes WHERE origin = $o AND sequence = $s",
            ("$o", SqliteType.Blob), ("$s", SqliteType.Integer));
        LoadRecord = Make(connection, "SELECT state, last_live FROM records WHERE collection = $c AND record_id = $r", ("$c", SqliteType.Text), ("$r", SqliteType.Text));
        ReadLogEntry = Make(connection, "SELECT change FROM log WHERE sequence = $s", ("$s", SqliteType.Integer));
    }

    /// <summary>The outcomes recorded for one origin's sequences in a range.</summary>
    public SqliteCommand FindOutcomesOfOrigin { get; }

    /// <summary>The outcome recorded for a change id.</summary>
    public SqliteCommand FindOutcome { get; }

    /// <summary>A record's state and last live state.</summary>
    public SqliteCommand LoadRecord { get; }

    /// <summary>One log entry's change bytes.</summary>
    public SqliteCommand ReadLogEntry { get; }

    /// <summary>
    /// Reads up to <see cref="RowsPerStatement"/> records by key (<c>collection, record_id, state, last_live</c>); bind
    /// exactly that many keys, repeating one to fill (a repeated key only repeats its row).
    /// </summary>
    public SqliteCommand LoadRecords => Bulk("load-records", RowsPerStatement, [SqliteType.Text, SqliteType.Text],
        "SELECT r.collection, r.record_id, r.state, r.last_live FROM (VALUES ", ") AS k JOIN records r ON r.collection = k.column1 AND r.record_id = k.column2");

    /// <summary>Inserts <paramref name="rows"/> log entries (sequence, collection, record id, change).</summary>
    public SqliteCommand InsertLogRows(int rows) => Bulk("log", rows, LogColumns, "INSERT INTO log (sequence, collection, record_id, change) VALUES ", string.Empty);

    /// <summary>Inserts or replaces <paramref name="rows"/> records (collection, record id, state, last live).</summary>
    public SqliteCommand SaveRecordRows(int rows) => Bulk("records", rows, RecordColumns, "INSERT INTO records (collection, record_id, state, last_live) VALUES ",
        " ON CONFLICT (collection, record_id) DO UPDATE SET state = excluded.state, last_live = excluded.last_live");

    /// <summary>Inserts <paramref name="rows"/> outcomes (the columns of <c>outcomes</c> in table order).</summary>
    public SqliteCommand SaveOutcomeRows(int rows) => Bulk("outcomes", rows, OutcomeColumns,
        "INSERT INTO outcomes (origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence) VALUES ", string.Empty);

    /// <summary>
    /// Inserts <paramref name="rows"/> plain acceptances of one origin: the origin is the last parameter, shared by every
    /// row, and kind, reason, message and field are the constants of <see cref="Crdt.Schema.Decision.Accept"/>; per row
    /// (sequence, collection, record id, log sequence, effect sequence). Binding is most of an insert's cost here.
    /// </summary>
    public SqliteCommand SaveAcceptedRows(int rows)
    {
        if (!_bulk.TryGetValue(("accepted", rows), out var command))
        {
            var sql = new System.Text.StringBuilder("INSERT INTO outcomes (origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence) VALUES ");
            var parameters = new List<(string, SqliteType)>((rows * AcceptedColumns.Length) + 1);
            for (var row = 0; row < rows; row++)
            {
                var at = row * AcceptedColumns.Length;
                sql.Append(row == 0 ? string.Empty : ", ")
                    .Append(System.Globalization.CultureInfo.InvariantCulture, $"($o, $p{at}, $p{at + 1}, $p{at + 2}, {(int)Crdt.Schema.OutcomeKind.Accepted}, 'accepted', 'accepted', NULL, $p{at + 3}, $p{at + 4})");
                parameters.AddRange(AcceptedColumns.Select((type, column) => ($"$p{at + column}", type)));
            }

            parameters.Add(("$o", SqliteType.Blob));
            command = Make(_connection, sql.ToString(), [.. parameters]);
            command.Transaction = _transaction;
            _bulk[("accepted", rows)] = command;
        }

        return command;
    }

    /// <summary>Binds every statement to <paramref name="transaction"/> (the writer's current transaction).</summary>
    public void Use(SqliteTransaction transaction)
    {
        _transaction = transaction;
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

    private SqliteCommand Bulk(string kind, int rows, SqliteType[] columns, string head, string tail)
    {
        if (!_bulk.TryGetValue((kind, rows), out var command))
        {
            var sql = new System.Text.StringBuilder(head);
            var parameters = new List<(string, SqliteType)>(rows * columns.Length);
            for (var row = 0; row < rows; row++)
            {
                sql.Append(row == 0 ? "(" : ", (");
                for (var column = 0; column < columns.Length; column++)
                {
                    var name = $"$p{(row * columns.Length) + column}";
                    sql.Append(column == 0 ? name : ", " + name);
                    parameters.Add((name, columns[column]));
                }

                sql.Append(')');
            }

            command = Make(_connection, sql.Append(tail).ToString(), [.. parameters]);
            command.Transaction = _transaction;
            _bulk[(kind, rows)] = command;
        }

        return command;
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
