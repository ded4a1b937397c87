using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using Microsoft.Data.Sqlite;

namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>
/// The embedded relay store: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a transaction is durable
/// when its commit returns.
/// </summary>
/// <remarks>
/// Writes go through one connection, one transaction at a time (a semaphore in front of SQLite's own write lock), on
/// statements prepared once (<see cref="SqliteWriteStatements"/>).
/// Log sequences are assigned inside that transaction as head + 1, so commits happen in sequence order and a reader,
/// whose WAL snapshot is a committed prefix of the writes, never sees sequence n without every sequence below it:
/// a pull cursor cannot skip a change that commits later with a lower number. Reads use their own pooled
/// connections and run concurrently with the writer.
/// </remarks>
public sealed partial class SqliteRelayStore : IRelayStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private SqliteWriteStatements? _statements;

    /// <summary>Creates a store over the SQLite file at <paramref name="path"/> (created when missing).</summary>
    public SqliteRelayStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    /// <inheritdoc />
    public async Task<RelayIdentity> InitializeAsync(Func<ReplicaId> newReplicaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newReplicaId);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _writer ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var journal = _writer.CreateCommand())
            {
                journal.CommandText = "PRAGMA journal_mode=WAL;";
                await journal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using var transaction = _writer.BeginTransaction();
            Execute(_writer, transaction, SqliteSchema.Create);
            var stored = ReadMeta(_writer, transaction, "replica_id");
            ReplicaId id;
            if (stored is null)
            {
                id = newReplicaId();
                WriteMeta(_writer, transaction, "replica_id", id.ToByteArray());
            }
            else
            {
                id = ReplicaId.FromBytes(stored);
            }

            var clock = SqliteWriteTransaction.ReadClock(_writer, transaction);
            transaction.Commit();
            _statements ??= new SqliteWriteStatements(_writer);
            return new RelayIdentity(id, clock);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<TResult> WriteAsync<TResult>(Func<IRelayWriteTransaction, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = _writer ?? throw new InvalidOperationException("The store is not initialized.");
            var statements = _statements ?? throw new InvalidOperationException("The store is not initialized.");
            using var transaction = writer.BeginTransaction();
            statements.Use(transaction);
            var result = await work(new SqliteWriteTransaction(writer, transaction, statements), cancellationToken).ConfigureAwait(false);
            // No cancellation from here on: once the work is done, the commit completes or fails as a whole.
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<LogPage> ReadLogAsync(LogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var (head, floor) = ReadHeadAndFloor(connection, transaction);
        var rows = new List<LogRow>();
        if (query.Collections.Count > 0)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var names = query.Collections.Select((c, i) => (Name: "$c" + i, c.Text)).ToArray();
            command.CommandText = query.IncludeRecords
                ? $"SELECT l.sequence, l.collection, l.record_id, l.change, r.state, r.last_live FROM log l LEFT JOIN records r ON r.collection = l.collection AND r.record_id = l.record_id WHERE l.sequence > $after AND l.collection IN ({string.Join(", ", names.Select(n => n.Name))}) ORDER BY l.sequence LIMIT $limit"
                : $"SELECT l.sequence, l.collection, l.record_id, l.change FROM log l WHERE l.sequence > $after AND l.collection IN ({string.Join(", ", names.Select(n => n.Name))}) ORDER BY l.sequence LIMIT $limit";
            command.Parameters.AddWithValue("$after", query.After);
            command.Parameters.AddWithValue("$limit", query.Limit);
            foreach (var (name, text) in names)
            {
                command.Parameters.AddWithValue(name, text);
            }

            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                StoredRecord? record = null;
                if (query.IncludeRecords && !reader.IsDBNull(4))
                {
                    record = ReadRecord(reader, 4);
                }

                rows.Add(new LogRow(reader.GetInt64(0), new CollectionName(reader.GetString(1)), new RecordId(reader.GetString(2)), (byte[])reader[3], record));
            }
        }

        transaction.Commit();
        return new LogPage(rows, head, floor);
    }

    /// <inheritdoc />
    public async Task<RecordSnapshot> ReadSnapshotAsync(IReadOnlyCollection<CollectionName> collections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collections);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var (head, _) = ReadHeadAndFloor(connection, transaction);
        var records = new List<StoredRecord>();
        foreach (var collection in collections)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT state, last_live FROM records WHERE collection = $c ORDER BY record_id";
            command.Parameters.AddWithValue("$c", collection.Text);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(ReadRecord(reader, 0));
            }
        }

        transaction.Commit();
        return new RecordSnapshot(records, head);
    }

    /// <inheritdoc />
    public async Task<StoredRecord?> GetRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, last_live FROM records WHERE collection = $c AND record_id = $r";
        command.Parameters.AddWithValue("$c", collection.Text);
        command.Parameters.AddWithValue("$r", id.Text);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader, 0) : null;
    }

    /// <inheritdoc />
    public async Task<LogInfo> GetLogInfoAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: true);
        var (head, floor) = ReadHeadAndFloor(connection, transaction);
        var length = Scalar(connection, transaction, "SELECT COUNT(*) FROM log");
        var outcomes = Scalar(connection, transaction, "SELECT COUNT(*) FROM outcomes");
        transaction.Commit();
        return new LogInfo(head, floor, length, outcomes);
    }

    /// <inheritdoc />
    public Task<long> CompactLogAsync(long upToSequence, CancellationToken cancellationToken) =>
        WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            var (head, floor) = ReadHeadAndFloor(sqlite.Connection, sqlite.Transaction);
            var newFloor = Math.Min(Math.Max(upToSequence, floor), head);
            if (newFloor == floor)
            {
                return ValueTask.FromResult(0L);
            }

            using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            command.CommandText = "DELETE FROM log WHERE sequence <= $upTo";
            command.Parameters.AddWithValue("$upTo", newFloor);
            var removed = command.ExecuteNonQuery();
            WriteMeta(sqlite.Connection, sqlite.Transaction, "log_floor", BitConverter.GetBytes(newFloor));
            return ValueTask.FromResult((long)removed);
        }, cancellationToken);

    /// <inheritdoc />
    public Task AddDeviceAsync(DeviceRegistration device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            command.CommandText = """
                INSERT INTO devices (replica_id, user_name, label, token_hash, created_at, revoked) VALUES ($id, $user, $label, $hash, $at, 0)
                ON CONFLICT (replica_id) DO UPDATE SET user_name = excluded.user_name, label = excluded.label, token_hash = excluded.token_hash, created_at = excluded.created_at, revoked = 0
                """;
            command.Parameters.AddWithValue("$id", device.ReplicaId.ToByteArray());
            command.Parameters.AddWithValue("$user", device.User);
            command.Parameters.AddWithValue("$label", device.Label);
            command.Parameters.AddWithValue("$hash", device.TokenHash);
            command.Parameters.AddWithValue("$at", device.CreatedAt.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return ValueTask.FromResult(true);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<DeviceRegistration?> FindDeviceAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT replica_id, user_name, label, token_hash, created_at FROM devices WHERE token_hash = $hash AND revoked = 0";
        command.Parameters.AddWithValue("$hash", tokenHash);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new DeviceRegistration(ReplicaId.FromBytes((byte[])reader[0]), reader.GetString(1), reader.GetString(2), (byte[])reader[3], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    /// <inheritdoc />
    public Task<bool> RevokeDeviceAsync(ReplicaId replica, CancellationToken cancellationToken) =>
        WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            command.CommandText = "UPDATE devices SET revoked = 1 WHERE replica_id = $id AND revoked = 0";
            command.Parameters.AddWithValue("$id", replica.ToByteArray());
            return ValueTask.FromResult(command.ExecuteNonQuery() > 0);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> GetRolesAsync(string user, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT role FROM user_roles WHERE user_name = $user";
        command.Parameters.AddWithValue("$user", user);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            roles.Add(reader.GetString(0));
        }

        return roles;
    }

    /// <inheritdoc />
    public Task<bool> SetRoleAsync(string user, string role, bool granted, CancellationToken cancellationToken) =>
        WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            command.CommandText = granted
                ? "INSERT OR IGNORE INTO user_roles (user_name, role) VALUES ($user, $role)"
                : "DELETE FROM user_roles WHERE user_name = $user AND role = $role";
            command.Parameters.AddWithValue("$user", user);
            command.Parameters.AddWithValue("$role", role);
            return ValueTask.FromResult(command.ExecuteNonQuery() > 0);
        }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _statements?.Dispose();
            _statements = null;
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal static StoredRecord ReadRecord(SqliteDataReader reader, int ordinal)
    {
        var state = RecordStateCodec.Decode((byte[])reader[ordinal]);
        RecordState? lastLive = reader.IsDBNull(ordinal + 1) ? null : RecordStateCodec.Decode((byte[])reader[ordinal + 1]);
        return new StoredRecord(state, lastLive);
    }

    internal static (long Head, long Floor) ReadHeadAndFloor(SqliteConnection connection, SqliteTransaction transaction)
    {
        var floorBytes = ReadMeta(connection, transaction, "log_floor");
        var floor = floorBytes is null ? 0 : BitConverter.ToInt64(floorBytes);
        var head = Math.Max(floor, Scalar(connection, transaction, "SELECT COALESCE(MAX(sequence), 0) FROM log"));
        return (head, floor);
    }

    internal static byte[]? ReadMeta(SqliteConnection connection, SqliteTransaction transaction, string key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as byte[];
    }

    internal static void WriteMeta(SqliteConnection connection, SqliteTransaction transaction, string key, byte[] value)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        // synchronous is per connection (journal_mode persists in the file).
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
