using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Schema;
using Microsoft.Data.Sqlite;

namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>The reads and writes of the relay console: role grants, devices with their activity, outcome tallies.</summary>
public sealed partial class SqliteRelayStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RoleGrant>> ListRoleGrantsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_name, role FROM user_roles ORDER BY user_name, role";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.replica_id, d.user_name, d.label, d.created_at, d.revoked, a.last_handshake_at, a.cursor, a.cursor_at
            FROM devices d LEFT JOIN device_activity a ON a.replica_id = d.replica_id
            ORDER BY d.user_name, d.replica_id
            """;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<DeviceOverview>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices.Add(new DeviceOverview(
                ReplicaId.FromBytes((byte[])reader[0]),
                reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetInt64(4) != 0,
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
        return WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            using var command = sqlite.Connection.CreateCommand();
            command.Transaction = sqlite.Transaction;
            // max(coalesce(a, b), coalesce(b, a)): the greater of two times, ignoring a missing one.
            command.CommandText = """
                INSERT INTO device_activity (replica_id, last_handshake_at, cursor, cursor_at) VALUES ($id, $handshake, $cursor, $cursorAt)
                ON CONFLICT (replica_id) DO UPDATE SET
                    last_handshake_at = max(COALESCE(last_handshake_at, excluded.last_handshake_at), COALESCE(excluded.last_handshake_at, last_handshake_at)),
                    cursor = CASE WHEN excluded.cursor_at IS NOT NULL AND (cursor_at IS NULL OR excluded.cursor_at > cursor_at OR (excluded.cursor_at = cursor_at AND excluded.cursor > cursor))
                        THEN excluded.cursor ELSE cursor END,
                    cursor_at = max(COALESCE(cursor_at, excluded.cursor_at), COALESCE(excluded.cursor_at, cursor_at))
                """;
            var id = command.Parameters.Add("$id", SqliteType.Blob);
            var handshake = command.Parameters.Add("$handshake", SqliteType.Integer);
            var cursor = command.Parameters.Add("$cursor", SqliteType.Integer);
            var cursorAt = command.Parameters.Add("$cursorAt", SqliteType.Integer);
            foreach (var note in activity)
            {
                id.Value = note.ReplicaId.ToByteArray();
                handshake.Value = (object?)note.LastHandshakeAt?.ToUnixTimeMilliseconds() ?? DBNull.Value;
                var hasCursor = note.Cursor is not null && note.CursorAt is not null;
                cursor.Value = hasCursor ? note.Cursor!.Value : DBNull.Value;
                cursorAt.Value = hasCursor ? note.CursorAt!.Value.ToUnixTimeMilliseconds() : DBNull.Value;
                command.ExecuteNonQuery();
            }

            return ValueTask.FromResult(true);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task AddOutcomeTalliesAsync(IReadOnlyCollection<OutcomeTally> tallies, DateTimeOffset forgetBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        return WriteAsync((transaction, _) =>
        {
            var sqlite = (SqliteWriteTransaction)transaction;
            using (var add = sqlite.Connection.CreateCommand())
            {
                add.Transaction = sqlite.Transaction;
                add.CommandText = "INSERT INTO outcome_tallies (minute, kind, count) VALUES ($minute, $kind, $count) ON CONFLICT (minute, kind) DO UPDATE SET count = count + excluded.count";
                var minute = add.Parameters.Add("$minute", SqliteType.Integer);
                var kind = add.Parameters.Add("$kind", SqliteType.Integer);
                var count = add.Parameters.Add("$count", SqliteType.Integer);
                foreach (var tally in tallies)
                {
                    minute.Value = tally.Minute.ToUnixTimeMilliseconds();
                    kind.Value = (int)tally.Kind;
                    count.Value = tally.Count;
                    add.ExecuteNonQuery();
                }
            }

            using var forget = sqlite.Connection.CreateCommand();
            forget.Transaction = sqlite.Transaction;
            forget.CommandText = "DELETE FROM outcome_tallies WHERE minute < $before";
            forget.Parameters.AddWithValue("$before", forgetBefore.ToUnixTimeMilliseconds());
            forget.ExecuteNonQuery();
            return ValueTask.FromResult(true);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OutcomeTally>> ReadOutcomeTalliesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT minute, kind, count FROM outcome_tallies WHERE minute >= $since ORDER BY minute, kind";
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tallies = new List<OutcomeTally>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tallies.Add(new OutcomeTally(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), (OutcomeKind)reader.GetInt32(1), reader.GetInt64(2)));
        }

        return tallies;
    }

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
