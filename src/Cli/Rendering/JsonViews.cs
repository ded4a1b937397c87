using System.Text.Json;
using System.Text.Json.Nodes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Cli.Rendering;

/// <summary>The <c>--json</c> forms of what the read commands print, for scripts.</summary>
internal static class JsonViews
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";

    public static JsonNode? Value(Value value) => value.Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Bool => JsonValue.Create(value.AsBool),
        ValueKind.Int64 => JsonValue.Create(value.AsInt64),
        ValueKind.Float64 => double.IsFinite(value.AsFloat64) ? JsonValue.Create(value.AsFloat64) : JsonValue.Create(value.ToString()),
        _ => JsonValue.Create(value.ToString()),
    };

    public static JsonObject Fields(RecordState state)
    {
        var fields = new JsonObject();
        foreach (var (name, entry) in state.SortedFields())
        {
            fields[name.Text] = Value(entry.Value);
        }

        return fields;
    }

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
