using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// The rules of one field: type, required, policy, optional range (numbers), maximum length (strings),
/// and for guarded fields the value a new record starts with.
/// </summary>
public sealed record FieldSchema(FieldName Name, FieldType Type, bool Required = false, FieldPolicy Policy = FieldPolicy.Lww,
    double? Min = null, double? Max = null, int? MaxLength = null, Value? Initial = null)
{
    /// <summary>Returns null when <paramref name="value"/> satisfies the type and range rules, else the rule it breaks.</summary>
    public string? Check(Value value)
    {
        if (value.IsNull)
        {
            return Required ? $"'{Name}' is required and cannot be null" : null;
        }

        var kindOk = Type switch
        {
            FieldType.Any => true,
            FieldType.String => value.Kind == ValueKind.String,
            FieldType.Int64 => value.Kind == ValueKind.Int64,
            FieldType.Float64 => value.Kind is ValueKind.Float64 or ValueKind.Int64,
            FieldType.Bool => value.Kind == ValueKind.Bool,
            FieldType.Timestamp => value.Kind == ValueKind.Timestamp,
            FieldType.Bytes => value.Kind == ValueKind.Bytes,
            _ => false,
        };
        if (!kindOk)
        {
            return $"'{Name}' must be {Describe(Type)}, not {value.Kind}";
        }

        if (value.Kind is ValueKind.Int64 or ValueKind.Float64)
        {
            var number = value.Kind == ValueKind.Int64 ? value.AsInt64 : value.AsFloat64;
            if (Min is { } min && !(number >= min))
            {
                return $"'{Name}' must be at least {min} (got {value})";
            }

            if (Max is { } max && !(number <= max))
            {
                return $"'{Name}' must be at most {max} (got {value})";
            }
        }

        if (MaxLength is { } maxLength && value.Kind == ValueKind.String && value.AsString.Length > maxLength)
        {
            return $"'{Name}' is at most {maxLength} characters (got {value.AsString.Length})";
        }

        return null;
    }

    private static string Describe(FieldType type) => type switch
    {
        FieldType.String => "a string",
        FieldType.Int64 => "an integer",
        FieldType.Float64 => "a number",
        FieldType.Bool => "true or false",
        FieldType.Timestamp => "a timestamp",
        FieldType.Bytes => "bytes",
        _ => "a value",
    };
}
