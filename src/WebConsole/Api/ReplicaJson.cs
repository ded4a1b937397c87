using System.Text.Json.Nodes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Sync;

namespace CrdtSync.WebConsole.Api;

/// <summary>
/// The JSON forms of values, field maps and sync reports that the console's API and the command line's <c>--json</c>
/// output share, so a script and a page read the same shapes.
/// </summary>
public static class ReplicaJson
{
    /// <summary>A value as JSON: null, a boolean, a number (a non-finite float as its text), or text for the other kinds.</summary>
    public static JsonNode? Value(Value value) => value.Kind switch
    {
        ValueKind.Null => null,
        ValueKind.Bool => JsonValue.Create(value.AsBool),
        ValueKind.Int64 => JsonValue.Create(value.AsInt64),
        ValueKind.Float64 => double.IsFinite(value.AsFloat64) ? JsonValue.Create(value.AsFloat64) : JsonValue.Create(value.ToString()),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A record's fields as an object of <c>name: value</c>, in canonical field order.</summary>
    public static JsonObject Fields(RecordState state) =>
        new(state.SortedFields().Select(f => KeyValuePair.Create(f.Key.Text, Value(f.Value.Value))));

    /// <summary>What one "sync all" did.</summary>
    public static JsonObject SyncReport(SyncReport report) => new()
    {
        ["pushed"] = report.Pushed,
        ["accepted"] = report.Accepted,
        ["refused"] = report.Refused,
        ["pulled"] = report.Pulled,
        ["cursor"] = report.Cursor,
        ["caughtUp"] = report.CaughtUp,
        ["pending"] = report.PendingCount,
    };
}
