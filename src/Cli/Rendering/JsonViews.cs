using System.Text.Json;
using System.Text.Json.Nodes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;
using CrdtSync.WebConsole.Api;

namespace CrdtSync.Cli.Rendering;

/// <summary>The <c>--json</c> forms of what the read commands print, for scripts.</summary>
internal static class JsonViews
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";

    public static JsonNode? Value(Value value) => ReplicaJson.Value(value);

    public static JsonObject Fields(RecordState state) => ReplicaJson.Fields(state);

    public static JsonObject Record(RecordSnapshot snapshot) => new()
    {
        ["collection"] = snapshot.State.Collection.Text,
        ["id"] = snapshot.State.Id.Text,
        ["status"] = StatusColors.Label(snapshot.Status),
        ["deleted"] = snapshot.State.IsDeleted,
        ["freshness"] = snapshot.Freshness.ToString(),
        ["fields"] = Fields(snapshot.State),
        ["journal"] = new JsonArray([.. snapshot.State.Journal.Select(j => (JsonNode)new JsonObject
        {
            ["field"] = j.Field.Text,
            ["value"] = Value(j.Value),
            ["author"] = j.Writer.Origin.ToString(),
            ["at"] = j.Stamp.Milliseconds,
        })]),
    };

    public static JsonObject Entry(OutboxEntry entry) => new()
    {
        ["entry"] = entry.EntryId,
        ["collection"] = entry.Collection.Text,
        ["id"] = entry.RecordId.Text,
        ["kind"] = entry.Kind.ToString().ToLowerInvariant(),
        ["action"] = entry.Change.ActionName?.Text,
        ["fields"] = new JsonObject(entry.Change.Fields.Select(f => KeyValuePair.Create(f.Name.Text, Value(f.Value)))),
        ["at"] = entry.CreatedAt.ToString("O"),
        ["status"] = StatusColors.Label(entry.Status),
        ["reason"] = entry.Reason,
        ["message"] = entry.Message,
        ["resolvable"] = entry.IsResolvable,
        ["relay"] = entry.AuthorityState is { } state ? Fields(state) : null,
    };
}
