using CrdtSync.Replica.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

/// <summary>
/// The origin sequence and the clock are recovered at open from the identity row and the newest outbox entry (a local edit
/// does not rewrite the identity row); what left the outbox raised the identity row's high-water mark on its way out.
/// </summary>
public class SequenceRecoveryTests
{
    [Fact]
    public async Task A_local_edit_leaves_the_identity_row_untouched()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await replica.Store.UpdateAsync("tasks", "t1", Fields(("title", "b")));

        Assert.Equal(0L, (long)replica.Store.Database.Scalar("SELECT last_sequence FROM replica_identity")!);
        Assert.Equal([1L, 2L], (await replica.Store.GetOutboxAsync()).Select(e => e.Change.Id.Sequence));
    }

    [Fact]
    public async Task The_sequence_and_stamp_of_a_discarded_newest_entry_are_never_used_again_after_a_reopen_with_the_clock_stepped_back()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await replica.Store.CreateAsync("tasks", Fields(("title", "b")), id: "t2");
        var newest = (await replica.Store.GetOutboxAsync())[^1];
        await replica.Store.DiscardAsync(newest.EntryId);

        replica.Store.Dispose();
        using var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = replica.DatabasePath }, new FakeTimeProvider(Start - TimeSpan.FromHours(1)), new Random(2));
        store.SetConnected(true);
        await store.UpdateAsync("tasks", "t1", Fields(("title", "c")));

        var added = (await store.GetOutboxAsync())[^1];
        Assert.Equal(newest.Change.Id.Sequence + 1, added.Change.Id.Sequence);
        Assert.True(added.Change.Stamp > newest.Change.Stamp);
    }

    [Fact]
    public async Task The_sequence_of_an_accepted_entry_is_never_used_again_after_a_reopen_when_the_outbox_is_empty()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var relay = new FakeRelay(replica.Time);
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await replica.Store.UpdateAsync("tasks", "t1", Fields(("title", "b")));
        var sent = await replica.Store.GetOutboxAsync();
        await relay.PushAsync(replica.Store);
        Assert.Empty(await replica.Store.GetOutboxAsync());

        var store = replica.Reopen();
        await store.UpdateAsync("tasks", "t1", Fields(("title", "c")));

        var added = (await store.GetOutboxAsync()).Single();
        Assert.Equal(sent[^1].Change.Id.Sequence + 1, added.Change.Id.Sequence);
        Assert.True(added.Change.Stamp > sent[^1].Change.Stamp);
    }

    [Fact]
    public async Task A_retried_entry_s_new_sequence_is_recovered_after_a_reopen()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        await replica.Store.CreateAsync("tasks", Fields(("title", "b")), id: "t2");
        var first = (await replica.Store.GetOutboxAsync())[0];
        await replica.Store.TakePushBatchAsync(10);
        await replica.Store.RecordOutcomesAsync([new(first.Change.Id, Crdt.Schema.OutcomeKind.Conflict, "x", "conflict")]);
        await replica.Store.RetryAsync(first.EntryId); // entry 1 now holds change 3, the newest

        var store = replica.Reopen();
        await store.UpdateAsync("tasks", "t2", Fields(("title", "c")));

        Assert.Equal([(1L, 3L), (2L, 2L), (4L, 4L)], (await store.GetOutboxAsync()).Select(e => (e.EntryId, e.Change.Id.Sequence)));
    }

    [Fact]
    public async Task A_version_2_file_keeps_counting_from_its_identity_row_after_the_migration()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var entry = (await replica.Store.GetOutboxAsync()).Single();

        // Turn the file back into schema version 2, where every edit rewrote the identity row (here: sequence 7, a later clock).
        var clockTime = (long)entry.Change.Stamp.Time + (5_000L << 16);
        replica.Store.Dispose();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={replica.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                DROP TRIGGER outbox_removed;
                DROP INDEX outbox_errors;
                ALTER TABLE outbox DROP COLUMN stamp_time;
                ALTER TABLE records DROP COLUMN entry_ids;
                CREATE INDEX outbox_by_record ON outbox (collection, record_id, entry_id);
                UPDATE replica_identity SET last_sequence = 7, clock_time = {clockTime};
                PRAGMA user_version = 2;
                """;
            command.ExecuteNonQuery();
        }

        var store = replica.Reopen();
        await store.UpdateAsync("tasks", "t1", Fields(("title", "b")));

        Assert.Equal(Storage.Migrations.Steps.Length, store.Database.SchemaVersion);
        var added = (await store.GetOutboxAsync())[^1];
        Assert.Equal(8L, added.Change.Id.Sequence);
        Assert.True(added.Change.Stamp.Time > (ulong)clockTime);
        Assert.Equal([1L, 8L], (await store.GetOutboxAsync()).Select(e => e.EntryId));
    }
}
