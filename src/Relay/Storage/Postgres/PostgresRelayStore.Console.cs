using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Schema;
using Npgsql;
using NpgsqlTypes;

namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>The reads and writes of the relay console: role grants, devices with their activity, outcome tallies.</summary>
public sealed partial class PostgresRelayStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RoleGrant>> ListRoleGrantsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT user_name, role FROM user_roles ORDER BY user_name COLLATE \"C\", role COLLATE \"C\"");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var grants = new List<RoleGrant>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            grants.Add(new RoleGrant(reader.GetString(0), reader.GetString(1)));
        }

        return grants;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeviceOverview>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, """
            SELECT d.replica_id, d.user_name, d.label, d.created_at, d.revoked, a.last_handshake_at, a.cursor, a.cursor_at
            FROM devices d LEFT JOIN device_activity a ON a.replica_id = d.replica_id
            ORDER BY d.user_name COLLATE "C", d.replica_id
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<DeviceOverview>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices.Add(new DeviceOverview(
                ReplicaId.FromBytes((byte[])reader[0]),
                reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetBoolean(4),
                Time(reader, 5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                Time(reader, 7)));
        }

        return devices;
    }

    /// <inheritdoc />
    public Task SaveDeviceActivityAsync(IReadOnlyCollection<DeviceActivity> activity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return WriteCoreAsync(async (transaction, ct) =>
        {
            // GREATEST ignores NULLs: the later of two times, a missing one left out.
            const string sql = """
                INSERT INTO device_activity AS a (replica_id, last_handshake_at, cursor, cursor_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (replica_id) DO UPDATE SET
                    last_handshake_at = GREATEST(a.last_handshake_at, excluded.last_handshake_at),
                    cursor = CASE WHEN excluded.cursor_at IS NOT NULL AND (a.cursor_at IS NULL OR excluded.cursor_at > a.cursor_at OR (excluded.cursor_at = a.cursor_at AND excluded.cursor > a.cursor))
                        THEN excluded.cursor ELSE a.cursor END,
                    cursor_at = GREATEST(a.cursor_at, excluded.cursor_at)
                """;
            foreach (var note in activity)
            {
                var hasCursor = note.Cursor is not null && note.CursorAt is not null;
                await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction.Transaction);
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = note.ReplicaId.ToByteArray() });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)note.LastHandshakeAt?.ToUnixTimeMilliseconds() ?? DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = hasCursor ? note.Cursor!.Value : DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = hasCursor ? note.CursorAt!.Value.ToUnixTimeMilliseconds() : DBNull.Value });
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task AddOutcomeTalliesAsync(IReadOnlyCollection<OutcomeTally> tallies, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        return WriteCoreAsync(async (transaction, ct) =>
        {
            // One row per minute and kind: an upsert may not touch the same row twice in one statement.
            var rows = tallies.GroupBy(t => (Minute: t.Minute.ToUnixTimeMilliseconds(), Kind: (int)t.Kind)).Select(g => (g.Key.Minute, g.Key.Kind, Count: g.Sum(t => t.Count))).ToArray();
            if (rows.Length > 0)
            {
                await using var add = transaction.Command(
                    """
                    INSERT INTO outcome_tallies AS t (minute, kind, count) SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[])
                    ON CONFLICT (minute, kind) DO UPDATE SET count = t.count + excluded.count
                    """,
                    rows.Select(r => r.Minute).ToArray(),
                    rows.Select(r => r.Kind).ToArray(),
                    rows.Select(r => r.Count).ToArray());
                await add.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using var forget = transaction.Command("DELETE FROM outcome_tallies WHERE minute < $1", forgetBefore.ToUnixTimeMilliseconds());
            await forget.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutcomeTally>> ReadOutcomeTalliesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT minute, kind, count FROM outcome_tallies WHERE minute >= $1 ORDER BY minute, kind", since.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tallies = new List<OutcomeTally>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tallies.Add(new OutcomeTally(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), (OutcomeKind)reader.GetInt32(1), reader.GetInt64(2)));
        }

        return tallies;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
