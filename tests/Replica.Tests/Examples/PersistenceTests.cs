using CrdtSync.Replica.Events;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class PersistenceTests
{
    [Fact]
    public async Task The_replica_id_configuration_sequence_and_records_survive_a_reopen()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = replica.Store.ReplicaId;
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");

        var store = replica.Reopen();

        Assert.Equal(id, store.ReplicaId);
        Assert.Equal("ana", store.Principal!.User);
        await store.UpdateAsync("tasks", "t1", Fields(("title", "b")));
        var entries = await store.GetOutboxAsync();
        Assert.Equal([1L, 2], entries.Select(e => e.Change.Id.Sequence));
        Assert.True(entries[1].Change.Stamp > entries[0].Change.Stamp);
        Assert.Equal(Storage.Migrations.Steps.Length, store.Database.SchemaVersion);
        Assert.Equal("wal", (string)store.Database.Scalar("PRAGMA journal_mode")!);
        Assert.Equal(2L, (long)store.Database.Scalar("PRAGMA synchronous")!); // FULL
    }

    [Fact]
    public async Task Stamps_keep_increasing_across_a_reopen_even_when_the_wall_clock_steps_back()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var before = (await replica.Store.GetOutboxAsync()).Single().Change.Stamp;

        replica.Store.Dispose();
        using var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = replica.DatabasePath },
            new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start - TimeSpan.FromHours(1)), new Random(2));
        await store.UpdateAsync("tasks", "t1", Fields(("title", "b")));

        Assert.True((await store.GetOutboxAsync())[^1].Change.Stamp > before);
    }

    [Fact]
    public async Task A_version_1_file_is_migrated_keeping_its_outbox_and_a_restamped_entry_is_still_found_by_its_sequence()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await replica.Store.CreateAsync("tasks", Fields(("title", "b")), id: "t2");
        var first = (await replica.Store.GetOutboxAsync())[0];
        await replica.Store.TakePushBatchAsync(10);
        await replica.Store.RecordOutcomesAsync([new(first.Change.Id, Crdt.Schema.OutcomeKind.Conflict, "x", "conflict")]);
        await replica.Store.RetryAsync(first.EntryId); // entry 1 now holds change 3
        var before = await replica.Store.GetOutboxAsync();
        Assert.Equal([(1L, 3L), (2L, 2L)], before.Select(e => (e.EntryId, e.Change.Id.Sequence)));

        // Turn the file back into schema version 1 (AUTOINCREMENT ids, a unique index on change_sequence, no list of entries in the record row).
        replica.Store.Dispose();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={replica.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE outbox_v1 (
                    entry_id INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, record_id TEXT NOT NULL,
                    change_sequence INTEGER NOT NULL UNIQUE, kind INTEGER NOT NULL, created_ms INTEGER NOT NULL, change BLOB NOT NULL,
                    overlay BLOB, status INTEGER NOT NULL, reason TEXT, message TEXT, authority_state BLOB, attempts INTEGER NOT NULL DEFAULT 0);
                INSERT INTO outbox_v1 SELECT entry_id, collection, record_id, change_sequence, kind, created_ms, change, overlay, status,
                    reason, message, authority_state, attempts FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_v1 RENAME TO outbox;
                CREATE INDEX outbox_by_record ON outbox (collection, record_id, entry_id);
                ALTER TABLE records DROP COLUMN entry_ids;
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        var store = replica.Reopen();
        Assert.Equal(Storage.Migrations.Steps.Length, store.Database.SchemaVersion);
        var after = await store.GetOutboxAsync();
        Assert.Equal(before.Select(e => (e.EntryId, e.Change.Id, e.Status)), after.Select(e => (e.EntryId, e.Change.Id, e.Status)));
        Assert.Equal(0L, (long)store.Database.Scalar("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%' OR sql LIKE '%UNIQUE%'")!);

        await store.UpdateAsync("tasks", "t2", Fields(("title", "c")));
        await store.TakePushBatchAsync(10);
        await store.RecordOutcomesAsync([new(after[0].Change.Id, Crdt.Schema.OutcomeKind.Accepted, "ok", "ok")]);
        var left = await store.GetOutboxAsync();
        Assert.Equal([(2L, 2L), (4L, 4L)], left.Select(e => (e.EntryId, e.Change.Id.Sequence)));
        Assert.Equal([2L, 4L], (await store.GetOutboxAsync("tasks", "t2")).Select(e => e.EntryId)); // the migration listed entry 2 in its record
        Assert.Equal(RecordStatus.Synced, await store.GetRecordStatusAsync("tasks", "t1"));
        Assert.Equal("a", (await store.GetAsync("tasks", "t1"))!["title"].AsString);
    }

    [Fact]
    public void A_database_from_a_newer_build_is_refused_with_upgrade_advice()
    {
        using var folder = new TempFolder();
        var path = folder.File("future.db");
        ReplicaStore.Open(new ReplicaOptions { DatabasePath = path }).Dispose();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(() => ReplicaStore.Open(new ReplicaOptions { DatabasePath = path }));
        Assert.Contains("Upgrade the app", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Normal_durability_is_an_option()
    {
        using var folder = new TempFolder();
        using var store = await ReplicaStore.OpenAsync(new ReplicaOptions { DatabasePath = folder.File("n.db"), Durability = CommitDurability.Normal });
        Assert.Equal(1L, (long)store.Database.Scalar("PRAGMA synchronous")!);
    }

    [Fact]
    public async Task Events_report_record_status_and_outbox_changes_after_the_commit()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var records = new List<RecordChangedEventArgs>();
        var statuses = new List<RecordStatusChangedEventArgs>();
        var outbox = new List<OutboxChangedEventArgs>();
        replica.Store.RecordChanged += (_, e) => records.Add(e);
        replica.Store.RecordStatusChanged += (_, e) => statuses.Add(e);
        replica.Store.OutboxChanged += (_, e) => outbox.Add(e);

        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await new FakeRelay(replica.Time).PushAsync(replica.Store);

        Assert.Equal("t1", Assert.Single(records).RecordId.Text); // the accepted change did not change what is shown
        Assert.Equal([(RecordStatus.Synced, RecordStatus.Pending), (RecordStatus.Pending, RecordStatus.Synced)], statuses.Select(s => (s.Before, s.After)));
        Assert.Equal(0, outbox[^1].EntryCount);
        Assert.Equal(1, outbox[0].EntryCount);
    }

    [Fact]
    public void The_DI_extension_registers_the_store_and_its_sync_side()
    {
        // Only the DI abstractions are referenced here, so check the registrations rather than build a provider.
        var services = new ServiceCollection().AddCrdtSyncReplica(o => o.DatabasePath = "x.db");
        Assert.Contains(services, d => d.ServiceType == typeof(ReplicaStore) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(services, d => d.ServiceType == typeof(Sync.IReplicaSync) && d.Lifetime == ServiceLifetime.Singleton);
    }
}
