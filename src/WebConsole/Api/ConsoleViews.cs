using System.Text.Json.Nodes;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.WebConsole.Api;

/// <summary>The JSON the console's API answers with: collections, records, outbox entries.</summary>
internal static class ConsoleViews
{
    /// <summary>The mark a record or entry shows: <c>synced</c>, <c>pending</c> (green), <c>conflict</c> (orange), <c>error</c> (red).</summary>
    public static string Mark(RecordStatus status) => status switch
    {
        RecordStatus.Pending => "pending",
        RecordStatus.Conflict => "conflict",
        RecordStatus.Error => "error",
        _ => "synced",
    };

    /// <inheritdoc cref="Mark(RecordStatus)"/>
    public static string Mark(EntryStatus status) => status switch
    {
        EntryStatus.Queued or EntryStatus.InFlight => "pending",
        EntryStatus.Conflict or EntryStatus.Invalid or EntryStatus.ClockSkew => "conflict",
        _ => "error",
    };

    public static string Freshness(CacheFreshness freshness) => freshness switch
    {
        CacheFreshness.Fresh => "fresh",
        CacheFreshness.Expired => "expired",
        CacheFreshness.NotDownloaded => "not_downloaded",
        _ => "not_subscribed",
    };

    public static JsonObject Collection(CollectionSchema schema, CacheFreshness freshness, bool canCreate) => new()
    {
        ["name"] = schema.Name.Text,
        ["freshness"] = Freshness(freshness),
        ["canCreate"] = canCreate,
        ["fields"] = new JsonArray([.. schema.Fields.Values.OrderBy(f => f.Name.Text, StringComparer.Ordinal).Select(Field)]),
        ["actions"] = new JsonArray([.. schema.Actions.Values.OrderBy(a => a.Name.Text, StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
        {
            ["name"] = a.Name.Text,
            ["offline"] = a.AllowedOffline,
            ["arguments"] = new JsonArray([.. a.Arguments.Values.OrderBy(f => f.Name.Text, StringComparer.Ordinal).Select(Field)]),
        })]),
    };

    private static JsonNode Field(FieldSchema field) => new JsonObject
    {
        ["name"] = field.Name.Text,
        ["type"] = field.Type.ToString().ToLowerInvariant(),
        ["required"] = field.Required,
        ["policy"] = field.Policy.ToString().ToLowerInvariant(),
        ["editable"] = field.Policy != FieldPolicy.Guarded,
        ["min"] = field.Min,
        ["max"] = field.Max,
        ["maxLength"] = field.MaxLength,
    };

    public static JsonObject Record(RecordSnapshot record, IReadOnlyList<ActionName> actions, bool canDelete, long? lockedBy) => new()
    {
        ["collection"] = record.Collection.Text,
        ["id"] = record.Id.Text,
        ["status"] = Mark(record.Status),
        ["locked"] = record.IsLocked,
        ["lockedBy"] = lockedBy,
        ["fields"] = ReplicaJson.Fields(record.State),
        ["actions"] = new JsonArray([.. actions.Select(a => (JsonNode)a.Text)]),
        ["canEdit"] = !record.IsLocked,
        ["canDelete"] = canDelete && !record.IsLocked,
    };

    /// <summary>
    /// An entry with what the Resolve form shows: one row per field the entry touches, my value next to the relay's.
    /// An action's rows are its arguments (editable) and its effects as they would apply for me (not editable).
    /// </summary>
    public static JsonObject Entry(OutboxEntry entry, SyncConfiguration? configuration, string? user)
    {
        var relay = entry.AuthorityState;
        var rows = new JsonArray();
        void Row(string field, Value mine, bool editable, string type) => rows.Add(new JsonObject
        {
            ["field"] = field,
            ["mine"] = ReplicaJson.Value(mine),
            ["relay"] = relay is null ? null : ReplicaJson.Value(relay[new FieldName(field)]),
            ["editable"] = editable,
            ["type"] = type,
        });

        var schema = configuration?.Collections.GetValueOrDefault(entry.Collection);
        switch (entry.Kind)
        {
            case ChangeKind.Upsert:
                foreach (var field in entry.Change.Fields)
                {
                    Row(field.Name.Text, field.Value, true, TypeOf(schema?.Fields.GetValueOrDefault(field.Name)));
                }

                break;
            case ChangeKind.Action when schema?.Actions.GetValueOrDefault(entry.Change.ActionName!.Value) is { } action:
                foreach (var argument in action.Arguments.Values)
                {
                    var given = entry.Change.Fields.FirstOrDefault(f => f.Name == argument.Name).Value;
                    Row(argument.Name.Text, given, true, TypeOf(argument));
                }

                foreach (var effect in action.Effects)
                {
                    Row(effect.Field.Text, effect.Resolve(entry.CreatedAt, user ?? string.Empty, entry.Change.Fields), false, TypeOf(schema.Fields.GetValueOrDefault(effect.Field)));
                }

                break;
        }

        return new JsonObject
        {
            ["entry"] = entry.EntryId,
            ["collection"] = entry.Collection.Text,
            ["id"] = entry.RecordId.Text,
            ["kind"] = entry.Kind.ToString().ToLowerInvariant(),
            ["action"] = entry.Change.ActionName?.Text,
            ["at"] = entry.CreatedAt.ToString("O"),
            ["status"] = Mark(entry.Status),
            ["detail"] = entry.Status switch
            {
                EntryStatus.Queued => "queued",
                EntryStatus.InFlight => "in_flight",
                EntryStatus.ClockSkew => "clock_skew",
                _ => entry.Status.ToString().ToLowerInvariant(),
            },
            ["reason"] = entry.Reason,
            ["message"] = entry.Message,
            ["resolvable"] = entry.IsResolvable,
            ["mine"] = new JsonObject(entry.Change.Fields.Select(f => KeyValuePair.Create(f.Name.Text, ReplicaJson.Value(f.Value)))),
            ["relay"] = relay is null ? null : ReplicaJson.Fields(relay),
            ["rows"] = rows,
        };
    }

    private static string TypeOf(FieldSchema? field) => (field?.Type ?? FieldType.Any).ToString().ToLowerInvariant();
}
