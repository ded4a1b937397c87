using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using Microsoft.AspNetCore.Http;

namespace CrdtSync.WebConsole.Api;

/// <summary>
/// Field values between JSON and the model. A JSON string is read by the field's declared type (so a form can send
/// <c>"2"</c> for an int64 field); numbers, booleans and null are taken as they are. The replica's own rules judge the
/// result; a text that cannot be read as the field's type is a typed <c>invalid_value</c> error.
/// </summary>
internal static class ConsoleValues
{
    /// <summary>Reads an object of <c>name: value</c> into typed values, by the types in <paramref name="schema"/>.</summary>
    public static Dictionary<string, Value> FromJson(JsonNode? node, IReadOnlyDictionary<FieldName, FieldSchema> schema, string what)
    {
        var result = new Dictionary<string, Value>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node is not JsonObject fields)
        {
            throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_json", $"'{what}' must be an object of name: value.");
        }

        foreach (var (name, value) in fields)
        {
            var type = FieldName.TryCreate(name, out var fieldName) && schema.TryGetValue(fieldName, out var field) ? field.Type : FieldType.Any;
            result[name] = Read(name, value, type);
        }

        return result;
    }

    private static Value Read(string name, JsonNode? node, FieldType type)
    {
        if (node is null)
        {
            return Value.Null;
        }

        if (node is not JsonValue scalar)
        {
            throw Invalid(name, "a single value, not an object or a list");
        }

        switch (scalar.GetValueKind())
        {
            case JsonValueKind.True:
            case JsonValueKind.False:
                return Value.Bool(scalar.GetValue<bool>());
            case JsonValueKind.Number:
                return type != FieldType.Float64 && scalar.TryGetValue<long>(out var integer) ? Value.Int64(integer) : Value.Float64(scalar.GetValue<double>());
            case JsonValueKind.String:
                return FromText(name, scalar.GetValue<string>(), type);
            default:
                throw Invalid(name, "a string, a number, true, false or null");
        }
    }

    private static Value FromText(string name, string text, FieldType type)
    {
        switch (type)
        {
            case FieldType.Int64:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer) ? Value.Int64(integer) : throw Invalid(name, "an integer", text);
            case FieldType.Float64:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? Value.Float64(number) : throw Invalid(name, "a number", text);
            case FieldType.Bool:
                return bool.TryParse(text, out var flag) ? Value.Bool(flag) : throw Invalid(name, "true or false", text);
            case FieldType.Timestamp:
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? Value.Timestamp(time)
                    : throw Invalid(name, "a timestamp such as 2026-12-01T10:00:00Z", text);
            case FieldType.Bytes:
                try
                {
                    return Value.Bytes(Convert.FromHexString(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text));
                }
                catch (FormatException)
                {
                    throw Invalid(name, "bytes written in hex", text);
                }

            default:
                return Value.String(text);
        }
    }

    private static ConsoleRequestException Invalid(string name, string expected, string? text = null) =>
        new(StatusCodes.Status422UnprocessableEntity, "invalid_value",
            text is null ? $"'{name}' must be {expected}." : $"'{name}' must be {expected}; '{text}' is not. Nothing was saved.", name);
}
