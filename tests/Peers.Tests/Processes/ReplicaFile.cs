using CrdtSync.Crdt.Encoding;
using Microsoft.Data.Sqlite;

namespace CrdtSync.Peers.Tests.Processes;

/// <summary>A replica file another process works on, read from the side (read-only SQLite; WAL lets a reader in beside the writer).</summary>
internal sealed record ReplicaFile(string Name, string Path)
{
    /// <summary>Every record as the user sees it, as canonical bytes by key: two replicas converged when these are equal.</summary>
    public SortedDictionary<string, string> VisibleStates()
    {
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT collection, record_id, coalesce(visible, confirmed) FROM records WHERE coalesce(visible, confirmed) IS NOT NULL";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            states[reader.GetString(0) + "/" + reader.GetString(1)] = Convert.ToHexString(RecordStateCodec.Encode(RecordStateCodec.Decode((byte[])reader[2])));
        }

        return states;
    }

    /// <summary>Entries still in the outbox (pending or in error).</summary>
    public long OutboxCount()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM outbox";
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
