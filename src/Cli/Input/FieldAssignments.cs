using System.Globalization;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Cli.Input;

/// <summary>
/// Reads <c>field=value</c> pairs from the command line into typed values, using the field types of the
/// configuration: <c>priority=2</c> is an integer where the field is int64, <c>done=true</c> a boolean,
/// <c>due=2026-12-01T10:00Z</c> a timestamp; <c>field=null</c> clears a field; <c>field:=text</c> forces a string.
/// </summary>
internal static class FieldAssignments
{
    public static Dictionary<string, Value> Parse(IEnumerable<string> assignments, IReadOnlyDictionary<FieldName, FieldSchema>? fields)
    {
        var result = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            // The first '=' separates name and value; written as ':=' it forces a string.
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            var forceString = equals > 0 && assignment[equals - 1] == ':';
            var separator = forceString ? equals - 1 : equals;
            if (separator <= 0)
            {
                throw new CliUsageException($"'{assignment}' is not field=value.");
            }

            var name = assignment[..separator];
            var text = assignment[(separator + (forceString ? 2 : 1))..];
            FieldSchema? schema = null;
            if (FieldName.TryCreate(name, out var fieldName))
            {
                fields?.TryGetValue(fieldName, out schema);
            }

            result[name] = forceString ? Value.String(text) : ParseValue(name, text, schema?.Type ?? FieldType.Any);
        }

        return result;
    }

    public static Value ParseValue(string name, string text, FieldType type)
    {
        if (text == "null")
        {
            return Value.Null;
        }

        switch (type)
        {
            case FieldType.String:
                return Value.String(text);
            case FieldType.Int64:
                return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer)
                    ? Value.Int64(integer)
                    : throw new CliUsageException($"'{name}' is an integer; '{text}' is not.");
            case FieldType.Float64:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? Value.Float64(number)
                    : throw new CliUsageException($"'{name}' is a number; '{text}' is not.");
            case FieldType.Bool:
                return bool.TryParse(text, out var flag) ? Value.Bool(flag) : throw new CliUsageException($"'{name}' is true or false; '{text}' is not.");
            case FieldType.Timestamp:
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? Value.Timestamp(time)
                    : throw new CliUsageException($"'{name}' is a timestamp (e.g. 2026-12-01T10:00:00Z); '{text}' is not.");
            case FieldType.Bytes:
                try
                {
                    return Value.Bytes(Convert.FromHexString(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text));
                }
                catch (FormatException)
                {
                    throw new CliUsageException($"'{name}' is bytes, written in hex; '{text}' is not.");
                }

            default:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var anyInteger))
                {
                    return Value.Int64(anyInteger);
                }

                if (bool.TryParse(text, out var anyFlag))
                {
                    return Value.Bool(anyFlag);
                }

                return Value.String(text);
        }
    }
}
