using Microsoft.Data.Sqlite;

namespace CrdtSync.Replica.Storage;

/// <summary>
/// One open SQLite connection to a replica file in WAL mode, with its prepared commands kept for reuse.
/// Not thread-safe: the store serializes access.
/// </summary>
internal sealed class ReplicaDatabase : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    private ReplicaDatabase(SqliteConnection connection) => _connection = connection;

    public static ReplicaDatabase Open(string path, CommitDurability durability)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        var database = new ReplicaDatabase(connection);
        try
        {
            database.Execute("PRAGMA journal_mode=WAL;");
            database.Execute(durability == CommitDurability.Full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;");
            database.Execute("PRAGMA busy_timeout=5000;");
            database.Migrate();
        }
        catch
        {
            database.Dispose();
            throw;
        }

        return database;
    }

    public SqliteConnection Connection => _connection;

    public int SchemaVersion => (int)(long)Scalar("PRAGMA user_version;")!;

    private void Migrate()
    {
        var version = SchemaVersion;
        if (version > Migrations.Steps.Length)
        {
            throw new InvalidOperationException(
                $"The replica database has schema version {version}, newer than this build knows ({Migrations.Steps.Length}). Upgrade the app.");
        }

        for (var step = version; step < Migrations.Steps.Length; step++)
        {
            Begin();
            try
            {
                RunScript(Migrations.Steps[step] + $"PRAGMA user_version = {step + 1};");
                Commit();
            }
            catch
            {
                Rollback();
                throw;
            }
        }
    }

    /// <summary>True between <see cref="Begin"/> and <see cref="Commit"/> or <see cref="Rollback"/>.</summary>
    public bool InTransaction { get; private set; }

    /// <summary>
    /// Starts a write transaction (<c>BEGIN IMMEDIATE</c>). The transaction statements are prepared once and reused, like every
    /// other command: <see cref="SqliteConnection.BeginTransaction()"/> prepares its BEGIN and COMMIT anew each time, which is
    /// a measurable part of a single-row transaction.
    /// </summary>
    public void Begin()
    {
        if (InTransaction)
        {
            throw new InvalidOperationException("A replica transaction is already open.");
        }

        Command("BEGIN IMMEDIATE").ExecuteNonQuery();
        InTransaction = true;
    }

    public void Commit()
    {
        Command("COMMIT").ExecuteNonQuery();
        InTransaction = false;
    }

    /// <summary>Rolls back the open transaction, if any (SQLite may already have rolled it back after an error).</summary>
    public void Rollback()
    {
        if (!InTransaction)
        {
            return;
        }

        InTransaction = false;
        if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            Command("ROLLBACK").ExecuteNonQuery();
        }
    }

    /// <summary>A prepared command for <paramref name="sql"/>, made once, with <c>$p0</c>, <c>$p1</c>, ... bound to <paramref name="arguments"/>.</summary>
    public SqliteCommand Command(string sql, params object?[] arguments)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < arguments.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
            }

            _commands.Add(sql, command);
        }

        for (var i = 0; i < arguments.Length; i++)
        {
            command.Parameters[i].Value = arguments[i] ?? DBNull.Value;
        }

        return command;
    }

    /// <summary>Runs a multi-statement script once, without keeping its command (migrations).</summary>
    private void RunScript(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public int Execute(string sql, params object?[] arguments) => Command(sql, arguments).ExecuteNonQuery();

    public object? Scalar(string sql, params object?[] arguments)
    {
        var value = Command(sql, arguments).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public void Dispose()
    {
        Rollback();
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        _connection.Dispose();
    }
}
