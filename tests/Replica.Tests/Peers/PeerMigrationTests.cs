using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Peers;

public class PeerMigrationTests
{
    [Fact]
    public async Task A_version_2_file_whose_peer_tables_were_made_on_first_peer_use_migrates_keeping_what_they_hold()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var before = await replica.Store.GetPeerVersionAsync();

        // Turn the file back into schema version 2, with the peer tables as first peer use used to create them.
        replica.Store.Dispose();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={replica.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE peer_from_relay; PRAGMA user_version = 2;";
            command.ExecuteNonQuery();
        }

        var store = replica.Reopen();

        Assert.Equal(Storage.Migrations.Steps.Length, store.Database.SchemaVersion);
        Assert.Equal(before, await store.GetPeerVersionAsync());
        Assert.Equal(1L, (long)store.Database.Scalar("SELECT count(*) FROM peer_changes WHERE change IS NOT NULL")!);
        Assert.Equal(0L, (long)store.Database.Scalar("SELECT count(*) FROM peer_from_relay")!);
    }

    [Fact]
    public async Task A_new_file_has_the_peer_tables_before_any_peer_use()
    {
        using var replica = await ReplicaFixture.CreateAsync();

        var tables = (long)replica.Store.Database.Scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('peer_changes', 'peer_held', 'peer_contiguous', 'peer_from_relay')")!;

        Assert.Equal(4L, tables);
    }
}
