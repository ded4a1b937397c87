using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class LocalWriteTests
{
    [Fact]
    public async Task A_created_record_reads_back_with_a_uuidv7_id_and_one_pending_upsert()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = await replica.Store.CreateAsync("incidents", Fields(("title", "Pump broken"), ("priority", 2)));

        Assert.True(Guid.TryParse(id.Text, out var guid));
        Assert.Equal(7, guid.Version);
        var record = await replica.Store.GetAsync("incidents", id.Text);
        Assert.NotNull(record);
        Assert.Equal("Pump broken", record["title"].AsString);
        Assert.Equal("open", record["status"].AsString); // a guarded field starts at its initial value
        Assert.Equal(RecordStatus.Pending, record.Status);
        var entry = Assert.Single(await replica.Store.GetOutboxAsync());
        Assert.Equal(ChangeKind.Upsert, entry.Kind);
        Assert.Equal(EntryStatus.Queued, entry.Status);
        Assert.Equal(replica.Store.ReplicaId, entry.Change.Id.Origin);
    }

    [Fact]
    public async Task Edits_actions_and_deletes_each_add_one_outbox_entry_in_order()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "a")))).Text;
        await replica.Store.UpdateAsync("incidents", id, Fields(("priority", 3)));
        await replica.Store.PerformActionAsync("incidents", id, "close");
        var closed = await replica.Store.GetAsync("incidents", id);
        Assert.Equal("closed", closed!["status"].AsString); // optimistic effects
        Assert.Equal("ana", closed["closed_by"].AsString);
        await replica.Store.DeleteAsync("incidents", id);

        Assert.Null(await replica.Store.GetAsync("incidents", id));
        var entries = await replica.Store.GetOutboxAsync("incidents", id);
        Assert.Equal([ChangeKind.Upsert, ChangeKind.Upsert, ChangeKind.Action, ChangeKind.Delete], entries.Select(e => e.Kind));
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.Change.Id.Sequence));
    }

    [Fact]
    public async Task A_query_filters_by_field_and_orders_by_field_then_id()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("incidents", Fields(("title", "c"), ("priority", 1)), id: "i3");
        await replica.Store.CreateAsync("incidents", Fields(("title", "a"), ("priority", 2)), id: "i1");
        await replica.Store.CreateAsync("incidents", Fields(("title", "b"), ("priority", 2)), id: "i2");
        await replica.Store.CreateAsync("tasks", Fields(("title", "t")), id: "t1");

        var result = await replica.Store.QueryAsync(new RecordQuery("incidents").WhereEquals("priority", Value.Int64(2)).OrderedBy("title", descending: true));

        Assert.Equal(["i2", "i1"], result.Records.Select(r => r.Id.Text));
        var all = await replica.Store.QueryAsync(new RecordQuery("incidents") { OrderBy = new FieldName("priority"), Limit = 2 });
        Assert.Equal(["i3", "i1"], all.Records.Select(r => r.Id.Text));
    }

    [Fact]
    public async Task Bad_names_values_and_collections_are_refused_with_typed_errors_and_nothing_is_written()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var store = replica.Store;
        await Assert.ThrowsAsync<InvalidIdentifierException>(() => store.CreateAsync("incidents", Fields(("bad name", "x"))));
        await Assert.ThrowsAsync<InvalidIdentifierException>(() => store.CreateAsync("in cidents", Fields(("title", "x"))));
        var unknown = await Assert.ThrowsAsync<UnknownCollectionException>(() => store.CreateAsync("invoices", Fields(("title", "x"))));
        Assert.Contains("incidents", unknown.Message, StringComparison.Ordinal);
        var field = await Assert.ThrowsAsync<InvalidChangeException>(() => store.CreateAsync("incidents", Fields(("title", "x"), ("colour", "red"))));
        Assert.Equal("unknown_field", field.Reason);
        var range = await Assert.ThrowsAsync<InvalidChangeException>(() => store.CreateAsync("incidents", Fields(("title", "x"), ("priority", 9))));
        Assert.Equal("rule", range.Reason);
        var type = await Assert.ThrowsAsync<InvalidChangeException>(() => store.CreateAsync("incidents", Fields(("title", 5))));
        Assert.Equal("rule", type.Reason);
        var required = await Assert.ThrowsAsync<InvalidChangeException>(() => store.CreateAsync("incidents", Fields(("priority", 1))));
        Assert.Equal("required", required.Reason);
        var id = (await store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        var guarded = await Assert.ThrowsAsync<InvalidChangeException>(() => store.UpdateAsync("incidents", id, Fields(("status", "closed"))));
        Assert.Equal("guarded_field", guarded.Reason);
        Assert.Contains("close", guarded.Message, StringComparison.Ordinal);

        Assert.Single(await store.GetOutboxAsync());
    }

    [Fact]
    public async Task Actions_that_do_not_exist_or_whose_guard_fails_are_refused_and_not_listed()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        var unknown = await Assert.ThrowsAsync<ActionNotAvailableException>(() => replica.Store.PerformActionAsync("incidents", id, "explode"));
        Assert.Equal("unknown_action", unknown.Reason);
        Assert.Equal(["close"], (await replica.Store.GetAvailableActionsAsync("incidents", id)).Select(a => a.Text));

        await replica.Store.PerformActionAsync("incidents", id, "close");
        var again = await Assert.ThrowsAsync<ActionNotAvailableException>(() => replica.Store.PerformActionAsync("incidents", id, "close"));
        Assert.Equal("guard_failed", again.Reason);
        Assert.Equal(["reopen"], (await replica.Store.GetAvailableActionsAsync("incidents", id)).Select(a => a.Text));
    }

    [Fact]
    public async Task A_role_without_the_right_is_refused_locally()
    {
        using var replica = await ReplicaFixture.CreateAsync(roles: ["viewer"]);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => replica.Store.CreateAsync("incidents", Fields(("title", "x"))));
        Assert.Empty(await replica.Store.GetOutboxAsync());
    }

    [Fact]
    public async Task Edits_of_missing_or_deleted_records_are_refused_with_typed_errors()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await Assert.ThrowsAsync<RecordNotFoundException>(() => replica.Store.UpdateAsync("incidents", "nope", Fields(("title", "x"))));
        var id = (await replica.Store.CreateAsync("incidents", Fields(("title", "x")))).Text;
        await Assert.ThrowsAsync<RecordAlreadyExistsException>(() => replica.Store.CreateAsync("incidents", Fields(("title", "x")), id));
        await replica.Store.DeleteAsync("incidents", id);
        await Assert.ThrowsAsync<RecordDeletedException>(() => replica.Store.UpdateAsync("incidents", id, Fields(("title", "y"))));
        await Assert.ThrowsAsync<RecordDeletedException>(() => replica.Store.DeleteAsync("incidents", id));
    }

    [Fact]
    public async Task Writes_before_configuration_are_refused_with_what_to_do()
    {
        using var folder = new TempFolder();
        using var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = folder.File("r.db") });
        var error = await Assert.ThrowsAsync<NotConfiguredException>(() => store.CreateAsync("incidents", Fields(("title", "x"))));
        Assert.Contains("ConfigureAsync", error.Message, StringComparison.Ordinal);
    }
}
