using System.Text.Json.Nodes;
using CrdtSync.Crdt.Schema;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Tests.Support;

namespace CrdtSync.WebConsole.Tests.Api;

/// <summary>Resolving refused entries through the API; the refusal is recorded as the sync client would record the relay's answer.</summary>
public sealed class ConsoleResolveTests : StandaloneConsole
{
    private async Task<long> RefusedEditAsync(OutcomeKind outcome, string reason)
    {
        await Client.OkAsync(HttpMethod.Post, "/api/collections/incidents/records", new JsonObject { ["id"] = "inc-1", ["fields"] = new JsonObject { ["title"] = "Pump" } });
        IReplicaSync sync = Device.Replica;
        var create = (await sync.TakePushBatchAsync(10)).Single();
        await sync.RecordOutcomesAsync([new PushOutcome(create.ChangeId, OutcomeKind.Accepted, string.Empty, string.Empty)]);
        await Client.OkAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", new JsonObject { ["fields"] = new JsonObject { ["description"] = "A very long text" } });
        var edit = (await sync.TakePushBatchAsync(10)).Single();
        await sync.RecordOutcomesAsync([new PushOutcome(edit.ChangeId, outcome, reason, "The relay says no.")]);
        return edit.EntryId;
    }

    [Fact]
    public async Task An_invalid_entry_shows_orange_locks_its_record_and_resolving_it_with_new_values_queues_it_again()
    {
        var entry = await RefusedEditAsync(OutcomeKind.Invalid, "rule");
        var record = await Client.GetJsonAsync("/api/collections/incidents/records/inc-1");
        Assert.Equal("conflict", (string?)record["status"]);
        Assert.Equal(entry, (long?)record["lockedBy"]);
        Assert.Empty(record["actions"]!.AsArray());
        var (locked, lockedBody) = await Client.SendAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", new JsonObject { ["fields"] = new JsonObject { ["priority"] = 1 } });
        Assert.Equal((409, "record_locked"), (locked, (string?)lockedBody!["error"]));
        Assert.Equal(entry, (long?)lockedBody["entry"]);

        await Client.OkAsync(HttpMethod.Post, $"/api/outbox/{entry}/resolve", new JsonObject { ["fields"] = new JsonObject { ["description"] = "Short" } });
        var resolved = (await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray().Single()!;
        Assert.Equal(("pending", "Short"), ((string?)resolved["status"], (string?)resolved["mine"]!["description"]));
        Assert.Equal("pending", (string?)(await Client.GetJsonAsync("/api/collections/incidents/records/inc-1"))["status"]);
    }

    [Fact]
    public async Task A_conflict_without_new_values_is_retried_as_it_was()
    {
        var entry = await RefusedEditAsync(OutcomeKind.Conflict, "manual_field_changed");
        await Client.OkAsync(HttpMethod.Post, $"/api/outbox/{entry}/resolve");
        var retried = (await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray().Single()!;
        Assert.Equal(("pending", "A very long text"), ((string?)retried["status"], (string?)retried["mine"]!["description"]));
    }

    [Fact]
    public async Task A_forbidden_entry_is_red_and_cannot_be_resolved_only_discarded()
    {
        var entry = await RefusedEditAsync(OutcomeKind.Forbidden, "forbidden");
        var listed = (await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray().Single()!;
        Assert.Equal(("error", false), ((string?)listed["status"], (bool)listed["resolvable"]!));
        var (status, body) = await Client.SendAsync(HttpMethod.Post, $"/api/outbox/{entry}/resolve", new JsonObject());
        Assert.Equal((409, "entry_not_resolvable"), (status, (string?)body!["error"]));
        await Client.OkAsync(HttpMethod.Post, $"/api/outbox/{entry}/discard");
        Assert.Equal("synced", (string?)(await Client.GetJsonAsync("/api/collections/incidents/records/inc-1"))["status"]);
    }
}
