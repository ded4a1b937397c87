using System.Data;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// The relay store on PostgreSQL, shared by one or more relay instances (DESIGN.md §7, docs/postgres.md). Write
/// transactions are READ COMMITTED with explicit locks (<see cref="PostgresWriteTransaction"/>), committed with
/// <c>synchronous_commit=on</c> before any answer; PostgreSQL's aborts (deadlock, serialization failure, a racing
/// insert of the same outcome) run the work again. Reads are REPEATABLE READ snapshots.
/// </summary>
public sealed partial class PostgresRelayStore : IRelayStore
{
    private readonly PostgresRelayStoreOptions _options;
    private readonly ILogger<PostgresRelayStore> _logger;

    /// <summary>Creates a store over the database named by <paramref name="options"/>.</summary>
    public PostgresRelayStore(IOptions<PostgresRelayStoreOptions> options, ILogger<PostgresRelayStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.ConnectionString))
        {
            throw new InvalidOperationException("The PostgreSQL store needs a connection string: set Relay:PostgresConnectionString (or --postgres).");
        }

        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        // Durable acknowledgement (DESIGN.md §3): whatever the server's default, commit waits for the WAL flush.
        builder.ConnectionStringBuilder.Options = (builder.ConnectionStringBuilder.Options + " -c synchronous_commit=on").Trim();
        DataSource = builder.Build();
    }

    /// <summary>
    /// How a read finds the log head: the head saved under the state row lock; under the
    /// <see cref="PostgresStoreFaults.NumberLogFromPlainSequence"/> canary, the highest committed sequence.
    /// </summary>
    private string HeadColumn => _options.Faults.HasFlag(PostgresStoreFaults.NumberLogFromPlainSequence)
        ? "GREATEST(log_head, (SELECT COALESCE(max(sequence), 0) FROM log))"
        : "log_head";

    /// <summary>The pooled connections of this store (the change listener opens its own connection from it).</summary>
    internal NpgsqlDataSource DataSource { get; }

    /// <inheritdoc />
    public async Task<RelayIdentity> InitializeAsync(Func<ReplicaId> newReplicaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newReplicaId);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1)", cancellationToken, PostgresSchema.MigrationLockKey).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSchema.CreateMigrationsTable, cancellationToken).ConfigureAwait(false);
            await using var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM crdtsync_migrations", connection, transaction);
            var version = Convert.ToInt32(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            for (var next = version + 1; next <= PostgresSchema.Migrations.Count; next++)
            {
                _logger.LogInformation("Applying PostgreSQL schema migration {Version}", next);
                await ExecuteAsync(connection, transaction, PostgresSchema.Migrations[next - 1], cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, "INSERT INTO crdtsync_migrations (version) VALUES ($1)", cancellationToken, next).ConfigureAwait(false);
            }

            if (_options.Faults.HasFlag(PostgresStoreFaults.NumberLogFromPlainSequence))
            {
                await ExecuteAsync(connection, transaction, $"CREATE SEQUENCE IF NOT EXISTS {PostgresWriteTransaction.CanaryLogSequence} INCREMENT BY 4096", cancellationToken).ConfigureAwait(false);
            }

            // The first instance makes the relay's identity; every other one adopts it.
            await ExecuteAsync(connection, transaction, "INSERT INTO relay_state (id, replica_id) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", cancellationToken, newReplicaId().ToByteArray()).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var read = new NpgsqlCommand("SELECT replica_id, clock_last_time, origin_sequence FROM relay_state WHERE id = 1", connection);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new RelayIdentity(ReplicaId.FromBytes((byte[])reader[0]), new RelayClockState(unchecked((ulong)reader.GetInt64(1)), reader.GetInt64(2)));
    }

    /// <inheritdoc />
    public Task<TResult> WriteAsync<TResult>(Func<IRelayWriteTransaction, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return WriteCoreAsync((transaction, ct) => work(transaction, ct), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<LogPage> ReadLogAsync(LogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var (head, floor) = await ReadHeadAndFloorAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var rows = new List<LogRow>();
        if (query.Collections.Count > 0)
        {
            var sql = query.IncludeRecords
                ? "SELECT l.sequence, l.collection, l.record_id, l.change, r.state, r.last_live FROM log l LEFT JOIN records r ON r.collection = l.collection AND r.record_id = l.record_id WHERE l.sequence > $1 AND l.collection = ANY($2) ORDER BY l.sequence LIMIT $3"
                : "SELECT l.sequence, l.collection, l.record_id, l.change FROM log l WHERE l.sequence > $1 AND l.collection = ANY($2) ORDER BY l.sequence LIMIT $3";
            await using var command = Command(connection, transaction, sql, query.After, query.Collections.Select(c => c.Text).ToArray(), query.Limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                StoredRecord? record = null;
                if (query.IncludeRecords && !reader.IsDBNull(4))
                {
                    record = PostgresWriteTransaction.ReadRecord(reader, 4);
                }

                rows.Add(new LogRow(reader.GetInt64(0), new CollectionName(reader.GetString(1)), new RecordId(reader.GetString(2)), (byte[])reader[3], record));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LogPage(rows, head, floor);
    }

    /// <inheritdoc />
    public async Task<RecordSnapshot> ReadSnapshotAsync(IReadOnlyCollection<CollectionName> collections, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collections);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var (head, _) = await ReadHeadAndFloorAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var records = new List<StoredRecord>();
        await using (var command = Command(connection, transaction, "SELECT state, last_live FROM records WHERE collection = ANY($1) ORDER BY collection, record_id", [collections.Select(c => c.Text).ToArray()]))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(PostgresWriteTransaction.ReadRecord(reader, 0));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RecordSnapshot(records, head);
    }

    /// <inheritdoc />
    public async Task<StoredRecord?> GetRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT state, last_live FROM records WHERE collection = $1 AND record_id = $2", collection.Text, id.Text);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgresWriteTransaction.ReadRecord(reader, 0) : null;
    }

    /// <inheritdoc />
    public async Task<LogInfo> GetLogInfoAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null,
            $"SELECT {HeadColumn}, s.log_floor, (SELECT count(*) FROM log), (SELECT count(*) FROM outcomes) FROM relay_state s WHERE s.id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new LogInfo(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <inheritdoc />
    public Task<long> CompactLogAsync(long upToSequence, CancellationToken cancellationToken) =>
        WriteCoreAsync(async (transaction, ct) =>
        {
            var (head, floor) = await transaction.LockHeadAndFloorAsync(ct).ConfigureAwait(false);
            var newFloor = Math.Min(Math.Max(upToSequence, floor), head);
            if (newFloor == floor)
            {
                return 0L;
            }

            await using var delete = transaction.Command("DELETE FROM log WHERE sequence <= $1", newFloor);
            var removed = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await using var update = transaction.Command("UPDATE relay_state SET log_floor = $1 WHERE id = 1", newFloor);
            await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return (long)removed;
        }, cancellationToken);

    /// <inheritdoc />
    public Task AddDeviceAsync(DeviceRegistration device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WriteCoreAsync(async (transaction, ct) =>
        {
            await using var command = transaction.Command(
                """
                INSERT INTO devices (replica_id, user_name, label, token_hash, created_at, revoked) VALUES ($1, $2, $3, $4, $5, false)
                ON CONFLICT (replica_id) DO UPDATE SET user_name = excluded.user_name, label = excluded.label, token_hash = excluded.token_hash, created_at = excluded.created_at, revoked = false
                """,
                device.ReplicaId.ToByteArray(), device.User, device.Label, device.TokenHash, device.CreatedAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            transaction.MarkAccessChanged();
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<DeviceRegistration?> FindDeviceAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT replica_id, user_name, label, token_hash, created_at FROM devices WHERE token_hash = $1 AND NOT revoked", tokenHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new DeviceRegistration(ReplicaId.FromBytes((byte[])reader[0]), reader.GetString(1), reader.GetString(2), (byte[])reader[3], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    /// <inheritdoc />
    public Task<bool> RevokeDeviceAsync(ReplicaId replica, CancellationToken cancellationToken) =>
        WriteCoreAsync(async (transaction, ct) =>
        {
            await using var command = transaction.Command("UPDATE devices SET revoked = true WHERE replica_id = $1 AND NOT revoked", replica.ToByteArray());
            var revoked = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
            transaction.MarkAccessChanged();
            return revoked;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlySet<string>> GetRolesAsync(string user, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT role FROM user_roles WHERE user_name = $1", user);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var roles = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            roles.Add(reader.GetString(0));
        }

        return roles;
    }

    /// <inheritdoc />
    public Task<bool> SetRoleAsync(string user, string role, bool granted, CancellationToken cancellationToken) =>
        WriteCoreAsync(async (transaction, ct) =>
        {
            await using var command = transaction.Command(
                granted
                    ? "INSERT INTO user_roles (user_name, role) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                    : "DELETE FROM user_roles WHERE user_name = $1 AND role = $2",
                user, role);
            var changed = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
            transaction.MarkAccessChanged();
            return changed;
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(long Head, long Floor)> ReadHeadAndFloorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {HeadColumn}, log_floor FROM relay_state WHERE id = 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<TResult> WriteCoreAsync<TResult>(Func<PostgresWriteTransaction, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
                var writer = new PostgresWriteTransaction(connection, transaction, _options.Faults);
                var result = await work(writer, cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (_options.BeforeCommitAsync is { } beforeCommit)
                {
                    await beforeCommit(cancellationToken).ConfigureAwait(false);
                }

                // No cancellation from here on: once the work is written, the commit completes or fails as a whole.
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException error) when (IsRetryable(error) && attempt < _options.WriteAttemptsMax)
            {
                _logger.LogDebug("PostgreSQL aborted a write transaction ({SqlState}); running it again (attempt {Attempt})", error.SqlState, attempt + 1);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsRetryable(PostgresException error) =>
        error.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
        || (error.SqlState == PostgresErrorCodes.UniqueViolation && error.ConstraintName == "outcomes_pkey");
}
