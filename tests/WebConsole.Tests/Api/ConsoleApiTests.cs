using System.Text.Json.Nodes;
using CrdtSync.WebConsole.Tests.Support;

namespace CrdtSync.WebConsole.Tests.Api;

/// <summary>The console's JSON API over a standalone replica (the example configuration, user ana as lead).</summary>
public sealed class ConsoleApiTests : StandaloneConsole
{
    private static JsonObject Fields(params (string Name, JsonNode? Value)[] fields) =>
        new() { ["fields"] = new JsonObject(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))) };

    private Task<JsonNode> CreateIncidentAsync(string id, string title = "Pump 3 is leaking") =>
        Client.OkAsync(HttpMethod.Post, "/api/collections/incidents/records", new JsonObject { ["id"] = id, ["fields"] = new JsonObject { ["title"] = title, ["priority"] = "2" } });

    private async Task<JsonNode> RecordAsync(string id) => await Client.GetJsonAsync($"/api/collections/incidents/records/{id}");

    [Fact]
    public async Task The_state_names_the_user_the_readable_collections_their_fields_and_actions()
    {
        var state = await Client.GetJsonAsync("/api/state");
        Assert.Equal("ana", (string?)state["user"]);
        Assert.False((bool)state["offlineMode"]!);
        Assert.Equal("no_relay", (string?)state["sync"]!["state"]);
        var collections = state["collections"]!.AsArray();
        Assert.Equal(["incidents", "tasks"], collections.Select(c => (string)c!["name"]!));
        var incidents = collections[0]!;
        Assert.Equal("not_subscribed", (string?)incidents["freshness"]);
        var status = incidents["fields"]!.AsArray().Single(f => (string?)f!["name"] == "status")!;
        Assert.False((bool)status["editable"]!);
        var reopen = incidents["actions"]!.AsArray().Single(a => (string?)a!["name"] == "reopen")!;
        Assert.False((bool)reopen["offline"]!);
    }

    [Fact]
    public async Task A_created_record_is_listed_as_pending_with_typed_fields_and_its_available_actions()
    {
        var created = await CreateIncidentAsync("inc-1");
        Assert.Equal("inc-1", (string?)created["id"]);
        var list = await Client.GetJsonAsync("/api/collections/incidents/records");
        var record = list["records"]!.AsArray().Single()!;
        Assert.Equal("pending", (string?)record["status"]);
        Assert.Equal(2L, (long)record["fields"]!["priority"]!);
        Assert.Equal("open", (string?)record["fields"]!["status"]);
        Assert.Equal(["close"], record["actions"]!.AsArray().Select(a => (string)a!));
        Assert.True((bool)record["canDelete"]!);
    }

    [Fact]
    public async Task A_record_made_without_an_id_gets_a_new_one()
    {
        var created = await Client.OkAsync(HttpMethod.Post, "/api/collections/tasks/records", Fields(("title", "Order a seal")));
        var id = (string)created["id"]!;
        Assert.Equal("Order a seal", (string?)(await Client.GetJsonAsync($"/api/collections/tasks/records/{id}"))["fields"]!["title"]);
    }

    [Fact]
    public async Task An_edit_reads_form_text_by_the_field_type_and_null_clears_a_field()
    {
        await CreateIncidentAsync("inc-1");
        await Client.OkAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("priority", "4"), ("assigned_to", "bob")));
        await Client.OkAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("assigned_to", null)));
        var fields = (await RecordAsync("inc-1"))["fields"]!;
        Assert.Equal(4L, (long)fields["priority"]!);
        Assert.Null(fields["assigned_to"]);
    }

    [Fact]
    public async Task Text_that_is_not_the_fields_type_is_an_invalid_value_naming_the_field_and_nothing_is_written()
    {
        await CreateIncidentAsync("inc-1");
        var (status, body) = await Client.SendAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("priority", "high")));
        Assert.Equal(422, status);
        Assert.Equal("invalid_value", (string?)body!["error"]);
        Assert.Equal("priority", (string?)body["field"]);
        Assert.Equal(2L, (long)(await RecordAsync("inc-1"))["fields"]!["priority"]!);
        Assert.Single((await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray());
    }

    [Fact]
    public async Task A_rule_the_replica_checks_is_an_invalid_change_with_its_reason_and_field()
    {
        await CreateIncidentAsync("inc-1");
        var (status, body) = await Client.SendAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("priority", 9)));
        Assert.Equal(422, status);
        Assert.Equal("invalid_change", (string?)body!["error"]);
        Assert.Equal("priority", (string?)body["field"]);
        var (guarded, guardedBody) = await Client.SendAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("status", "closed")));
        Assert.Equal(422, guarded);
        Assert.Equal("status", (string?)guardedBody!["field"]);
    }

    [Fact]
    public async Task Unknown_collections_records_and_routes_are_typed_not_found_errors()
    {
        var (collection, collectionBody) = await Client.SendAsync(HttpMethod.Get, "/api/collections/planes/records");
        Assert.Equal((404, "unknown_collection"), (collection, (string?)collectionBody!["error"]));
        var (record, recordBody) = await Client.SendAsync(HttpMethod.Get, "/api/collections/incidents/records/nope");
        Assert.Equal((404, "record_not_found"), (record, (string?)recordBody!["error"]));
        var (route, routeBody) = await Client.SendAsync(HttpMethod.Get, "/api/nothing/here");
        Assert.Equal((404, "not_found"), (route, (string?)routeBody!["error"]));
        var (bad, badBody) = await Client.SendAsync(HttpMethod.Get, "/api/collections/Not%20A%20Name/records");
        Assert.Equal((400, "invalid_identifier"), (bad, (string?)badBody!["error"]));
    }

    [Fact]
    public async Task An_action_applies_at_once_and_one_whose_guard_fails_is_refused_as_not_available()
    {
        await CreateIncidentAsync("inc-1");
        await Client.OkAsync(HttpMethod.Post, "/api/collections/incidents/records/inc-1/actions/close", new JsonObject());
        var record = await RecordAsync("inc-1");
        Assert.Equal("closed", (string?)record["fields"]!["status"]);
        Assert.Equal("ana", (string?)record["fields"]!["closed_by"]);
        var (status, body) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records/inc-1/actions/close", new JsonObject());
        Assert.Equal(409, status);
        Assert.Equal("action_not_available", (string?)body!["error"]);
        Assert.Equal("guard_failed", (string?)body["reason"]);
    }

    [Fact]
    public async Task An_action_with_arguments_types_them_by_the_actions_argument_schema()
    {
        var id = (string)(await Client.OkAsync(HttpMethod.Post, "/api/collections/tasks/records", new JsonObject { ["id"] = "task-1", ["fields"] = new JsonObject { ["title"] = "Seal" } }))["id"]!;
        var (offline, offlineBody) = await Client.SendAsync(HttpMethod.Post, $"/api/collections/tasks/records/{id}/actions/assign", new JsonObject { ["arguments"] = new JsonObject { ["to"] = "bob" } });
        // assign is online-only, and a replica that never connected is offline.
        Assert.Equal((409, "online_only"), (offline, (string?)offlineBody!["reason"]));
        var (list, _) = await Client.SendAsync(HttpMethod.Post, $"/api/collections/tasks/records/{id}/actions/assign", new JsonObject { ["arguments"] = new JsonArray() });
        Assert.Equal(400, list);
    }

    [Fact]
    public async Task A_delete_hides_the_record_and_queues_a_delete_entry()
    {
        await CreateIncidentAsync("inc-1");
        await Client.OkAsync(HttpMethod.Delete, "/api/collections/incidents/records/inc-1");
        Assert.Empty((await Client.GetJsonAsync("/api/collections/incidents/records"))["records"]!.AsArray());
        var entries = (await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray();
        Assert.Equal(["upsert", "delete"], entries.Select(e => (string)e!["kind"]!));
    }

    [Fact]
    public async Task The_outbox_shows_each_entrys_values_and_discard_rolls_the_record_back()
    {
        await CreateIncidentAsync("inc-1");
        await Client.OkAsync(HttpMethod.Patch, "/api/collections/incidents/records/inc-1", Fields(("description", "Seal worn")));
        var entries = (await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray();
        var edit = entries[1]!;
        Assert.Equal("pending", (string?)edit["status"]);
        Assert.Equal("Seal worn", (string?)edit["mine"]!["description"]);
        Assert.Equal("description", (string?)edit["rows"]![0]!["field"]);
        await Client.OkAsync(HttpMethod.Post, $"/api/outbox/{(long)edit["entry"]!}/discard");
        Assert.Null((await RecordAsync("inc-1"))["fields"]!["description"]);
    }

    [Fact]
    public async Task Outbox_calls_name_a_bad_or_unknown_entry_and_a_pending_entry_is_not_resolvable()
    {
        await CreateIncidentAsync("inc-1");
        var (bad, badBody) = await Client.SendAsync(HttpMethod.Post, "/api/outbox/abc/discard");
        Assert.Equal((400, "bad_entry"), (bad, (string?)badBody!["error"]));
        var (missing, missingBody) = await Client.SendAsync(HttpMethod.Post, "/api/outbox/999999/discard");
        Assert.Equal((404, "entry_not_found"), (missing, (string?)missingBody!["error"]));
        var entry = (long)(await Client.GetJsonAsync("/api/outbox"))["entries"]![0]!["entry"]!;
        var (pending, pendingBody) = await Client.SendAsync(HttpMethod.Post, $"/api/outbox/{entry}/resolve", new JsonObject());
        Assert.Equal((409, "entry_not_resolvable"), (pending, (string?)pendingBody!["error"]));
    }

    [Fact]
    public async Task Offline_mode_without_an_offline_cache_is_refused_as_cache_expired()
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Post, "/api/offline", new JsonObject { ["offline"] = true });
        Assert.Equal((409, "cache_expired"), (status, (string?)body!["error"]));
        Assert.False((bool)(await Client.GetJsonAsync("/api/state"))["offlineMode"]!);
        var left = await Client.OkAsync(HttpMethod.Post, "/api/offline", new JsonObject { ["offline"] = false });
        Assert.False((bool)left["offlineMode"]!);
        var (missing, missingBody) = await Client.SendAsync(HttpMethod.Post, "/api/offline", new JsonObject());
        Assert.Equal((400, "offline"), (missing, (string?)missingBody!["field"]));
    }

    [Fact]
    public async Task Sync_and_download_say_there_is_no_relay_for_a_standalone_replica()
    {
        var (sync, syncBody) = await Client.SendAsync(HttpMethod.Post, "/api/sync");
        Assert.Equal((409, "no_relay"), (sync, (string?)syncBody!["error"]));
        var (download, downloadBody) = await Client.SendAsync(HttpMethod.Post, "/api/download");
        Assert.Equal((409, "no_relay"), (download, (string?)downloadBody!["error"]));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_a_typed_error_and_nothing_is_written()
    {
        var (status, body) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", adjust: request =>
            request.Content = new StringContent("{\"fields\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal((400, "bad_json"), (status, (string?)body!["error"]));
        var (form, formBody) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", adjust: request =>
            request.Content = new FormUrlEncodedContent([KeyValuePair.Create("title", "x")]));
        Assert.Equal((415, "unsupported_media_type"), (form, (string?)formBody!["error"]));
        var (array, _) = await Client.SendAsync(HttpMethod.Post, "/api/collections/incidents/records", new JsonArray());
        Assert.Equal(400, array);
        Assert.Empty((await Client.GetJsonAsync("/api/outbox"))["entries"]!.AsArray());
    }

    [Fact]
    public async Task The_event_stream_says_hello_then_reports_a_change_as_it_commits()
    {
        // The bound only stops a hang; nothing is timed.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = await Client.Http.GetStreamAsync("/api/events", bound.Token);
        using var reader = new StreamReader(stream);
        Assert.Equal("event: hello", await reader.ReadLineAsync(bound.Token));
        await CreateIncidentAsync("inc-1");
        var events = new List<(string Name, string Data)>();
        while (!events.Exists(e => e.Name == "outbox"))
        {
            var line = await reader.ReadLineAsync(bound.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                var data = await reader.ReadLineAsync(bound.Token) ?? string.Empty;
                events.Add((line["event: ".Length..], data["data: ".Length..]));
            }
        }

        var record = JsonNode.Parse(events.Single(e => e.Name == "record").Data)!;
        Assert.Equal(("incidents", "inc-1"), ((string?)record["collection"], (string?)record["id"]));
        var status = JsonNode.Parse(events.Single(e => e.Name == "status").Data)!;
        Assert.Equal("pending", (string?)status["after"]);
        Assert.Equal(1, (int)JsonNode.Parse(events.Single(e => e.Name == "outbox").Data)!["count"]!);
    }
}
