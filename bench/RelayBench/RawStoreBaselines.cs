using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CrdtSync.RelayBench;

/// <summary>
/// What the disk and database alone allow: the same change bytes inserted in transactions of one batch each, with the
/// relay's durability (SQLite WAL + <c>synchronous=FULL</c>; PostgreSQL <c>synchronous_commit=on</c>), no relay.
/// </summary>
internal static class RawStoreBaselines
{
    public static double Sqlite(string path, IReadOnlyList<byte[]> changes, int batchSize)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE log (sequence INTEGER PRIMARY KEY, record_id TEXT NOT NULL, change BLOB NOT NULL);";
            setup.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO log (sequence, record_id, change) VALUES ($s, $r, $c)";
        var sequence = insert.Parameters.Add("$s", SqliteType.Integer);
        var record = insert.Parameters.Add("$r", SqliteType.Text);
        var change = insert.Parameters.Add("$c", SqliteType.Blob);
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < changes.Count; start += batchSize)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            for (var i = start; i < Math.Min(start + batchSize, changes.Count); i++)
            {
                sequence.Value = i + 1;
                record.Value = "r-" + i;
                change.Value = changes[i];
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return changes.Count / clock.Elapsed.TotalSeconds;
    }

    public static async Task<double> PostgresAsync(string database, IReadOnlyList<byte[]> changes, int batchSize)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using (var setup = new NpgsqlCommand("SET synchronous_commit = on; CREATE TABLE raw_log (sequence bigint PRIMARY KEY, record_id text NOT NULL, change bytea NOT NULL);", connection))
        {
            await setup.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        for (var start = 0; start < changes.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, changes.Count - start);
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO raw_log SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[])", connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = Enumerable.Range(start + 1, count).Select(i => (long)i).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = Enumerable.Range(start, count).Select(i => "r-" + i).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = changes.Skip(start).Take(count).ToArray() });
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        return changes.Count / clock.Elapsed.TotalSeconds;
    }
}
