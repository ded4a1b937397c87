using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Outbox;
using CrdtSync.Replica.Tests.Support;
using Xunit;
using static CrdtSync.Replica.Tests.Support.Samples;

namespace CrdtSync.Replica.Tests.Examples;

public class RefusedCreateTests
{
    [Fact]
    public async Task A_refused_create_of_a_record_the_relay_does_not_have_stores_no_confirmed_state_and_a_discard_removes_the_row()
    {
        using var replica = await ReplicaFixture.CreateAsync();
        await replica.Store.CreateAsync("tasks", Fields(("title", "a")), id: "t1");
        var entry = (await replica.Store.GetOutboxAsync()).Single();
        await replica.Store.TakePushBatchAsync(10);

        // The relay sends its current state of the record with a refusal; for a record it does not have, that state is empty.
        var empty = RecordStateCodec.Encode(new RecordState(new CollectionName("tasks"), new RecordId("t1")));
        await replica.Store.RecordOutcomesAsync([new(entry.Change.Id, OutcomeKind.Invalid, "invalid_value", "Refused.", empty)]);

        Assert.Equal(RecordStatus.Conflict, await replica.Store.GetRecordStatusAsync("tasks", "t1"));
        Assert.Null(replica.Store.GetConfirmed("tasks", "t1"));
        Assert.Null(replica.Store.Database.Scalar("SELECT confirmed FROM records WHERE record_id = 't1'"));

        await replica.Store.DiscardAsync(entry.EntryId);

        Assert.Null(await replica.Store.GetAsync("tasks", "t1"));
        Assert.Equal(0L, (long)replica.Store.Database.Scalar("SELECT count(*) FROM records")!);
    }
}
