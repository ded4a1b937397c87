using System.Globalization;
using System.Text.Json;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// Reads a <see cref="SyncConfiguration"/> from its JSON document (the file a relay starts with, and
/// what the handshake sends to replicas). The format is described in <c>docs/configuration.md</c>.
/// Unknown keys, wrong types and invalid names are errors that name their JSON path: a typo never
/// silently loosens a rule.
/// </summary>
public static class SyncConfigurationJson
{
    /// <summary>Parses a configuration document.</summary>
    /// <exception cref="ConfigurationException">The document is not a valid configuration.</exception>
    public static SyncConfiguration Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException($"line {ex.LineNumber + 1}", "not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            var root = Object(document.RootElement, "$");
            Keys(root, "$", "collections", "roles", "cacheLifetime", "clockSkewMax", "limits");
            var collections = new Dictionary<CollectionName, CollectionSchema>();
            if (root.TryGetProperty("collections", out var collectionsElement))
            {
                foreach (var property in Object(collectionsElement, "$.collections").EnumerateObject())
                {
                    var name = Name<CollectionName>(property.Name, "$.collections", t => new CollectionName(t));
                    collections.Add(name, ReadCollection(name, property.Value, $"$.collections.{property.Name}"));
                }
            }

            var roles = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal);
            if (root.TryGetProperty("roles", out var rolesElement))
            {
                foreach (var property in Object(rolesElement, "$.roles").EnumerateObject())
                {
                    roles.Add(property.Name, ReadRole(property.Name, property.Value, $"$.roles.{property.Name}", collections));
                }
            }

            var cacheLifetime = root.TryGetProperty("cacheLifetime", out var lifetime) ? Duration(lifetime, "$.cacheLifetime") : TimeSpan.FromDays(7);
            var skew = root.TryGetProperty("clockSkewMax", out var skewElement) ? Duration(skewElement, "$.clockSkewMax") : TimeSpan.FromMinutes(5);
            var limits = root.TryGetProperty("limits", out var limitsElement) ? ReadLimits(limitsElement, "$.limits") : new SyncLimits();
            return new SyncConfiguration(collections, roles, cacheLifetime, skew, limits);
        }
    }

    private static CollectionSchema ReadCollection(CollectionName name, JsonElement element, string path)
    {
        Keys(Object(element, path), path, "fields", "actions");
        var fields = new Dictionary<FieldName, FieldSchema>();
        if (element.TryGetProperty("fields", out var fieldsElement))
        {
            foreach (var property in Object(fieldsElement, path + ".fields").EnumerateObject())
            {
                var field = Name<FieldName>(property.Name, path + ".fields", t => new FieldName(t));
                fields.Add(field, ReadField(field, property.Value, $"{path}.fields.{property.Name}"));
            }
        }

        var actions = new Dictionary<ActionName, ActionDefinition>();
        if (element.TryGetProperty("actions", out var actionsElement))
        {
            foreach (var property in Object(actionsElement, path + ".actions").EnumerateObject())
            {
                var action = Name<ActionName>(property.Name, path + ".actions", t => new ActionName(t));
                actions.Add(action, ReadAction(action, property.Value, $"{path}.actions.{property.Name}", fields));
            }
        }

        return new CollectionSchema(name, fields, actions);
    }

    private static FieldSchema ReadField(FieldName name, JsonElement element, string path)
    {
        Keys(Object(element, path), path, "type", "required", "policy", "min", "max", "maxLength", "initial");
        var type = element.TryGetProperty("type", out var typeElement)
            ? String(typeElement, path + ".type") switch
            {
                "any" => FieldType.Any,
                "string" => FieldType.String,
                "int64" or "integer" => FieldType.Int64,
                "float64" or "number" => FieldType.Float64,
                "bool" or "boolean" => FieldType.Bool,
                "timestamp" => FieldType.Timestamp,
                "bytes" => FieldType.Bytes,
                var other => throw new ConfigurationException(path + ".type", $"unknown type '{other}' (any, string, int64, float64, bool, timestamp, bytes)"),
            }
            : FieldType.Any;
        var policy = element.TryGetProperty("policy", out var policyElement)
            ? String(policyElement, path + ".policy") switch
            {
                "lww" => FieldPolicy.Lww,
                "manual" => FieldPolicy.Manual,
                "guarded" => FieldPolicy.Guarded,
                var other => throw new ConfigurationException(path + ".policy", $"unknown policy '{other}' (lww, manual, guarded)"),
            }
            : FieldPolicy.Lww;
        var required = element.TryGetProperty("required", out var requiredElement) && Bool(requiredElement, path + ".required");
        double? min = element.TryGetProperty("min", out var minElement) ? Number(minElement, path + ".min") : null;
        double? max = element.TryGetProperty("max", out var maxElement) ? Number(maxElement, path + ".max") : null;
        int? maxLength = element.TryGetProperty("maxLength", out var lengthElement) ? (int)Number(lengthElement, path + ".maxLength") : null;
        Value? initial = element.TryGetProperty("initial", out var initialElement) ? Literal(initialElement, path + ".initial") : null;
        var schema = new FieldSchema(name, type, required, policy, min, max, maxLength, initial);
        if (initial is { } start && schema.Check(start) is { } rule)
        {
            throw new ConfigurationException(path + ".initial", rule);
        }

        return schema;
    }

    private static ActionDefinition ReadAction(ActionName name, JsonElement element, string path, IReadOnlyDictionary<FieldName, FieldSchema> fields)
    {
        Keys(Object(element, path), path, "guard", "effects", "offline", "arguments");
        var arguments = new Dictionary<FieldName, FieldSchema>();
        if (element.TryGetProperty("arguments", out var argumentsElement))
        {
            foreach (var property in Object(argumentsElement, path + ".arguments").EnumerateObject())
            {
                var argument = Name<FieldName>(property.Name, path + ".arguments", t => new FieldName(t));
                arguments.Add(argument, ReadField(argument, property.Value, $"{path}.arguments.{property.Name}"));
            }
        }

        var guard = ActionGuard.Exists;
        if (element.TryGetProperty("guard", out var guardElement))
        {
            var guardPath = path + ".guard";
            Keys(Object(guardElement, guardPath), guardPath, "exists", "fieldIn", "unchangedSinceBase");
            var exists = !guardElement.TryGetProperty("exists", out var existsElement) || Bool(existsElement, guardPath + ".exists");
            var fieldIn = new Dictionary<FieldName, IReadOnlyList<Value>>();
            if (guardElement.TryGetProperty("fieldIn", out var fieldInElement))
            {
                foreach (var property in Object(fieldInElement, guardPath + ".fieldIn").EnumerateObject())
                {
                    var field = KnownField(property.Name, guardPath + ".fieldIn", fields);
                    var valuesPath = $"{guardPath}.fieldIn.{property.Name}";
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw new ConfigurationException(valuesPath, "expected a list of values");
                    }

                    fieldIn.Add(field, [.. property.Value.EnumerateArray().Select((v, i) => Literal(v, $"{valuesPath}[{i}]"))]);
                }
            }

            var unchanged = new List<FieldName>();
            if (guardElement.TryGetProperty("unchangedSinceBase", out var unchangedElement))
            {
                if (unchangedElement.ValueKind != JsonValueKind.Array)
                {
                    throw new ConfigurationException(guardPath + ".unchangedSinceBase", "expected a list of field names");
                }

                unchanged.AddRange(unchangedElement.EnumerateArray().Select((v, i) => KnownField(String(v, $"{guardPath}.unchangedSinceBase[{i}]"), guardPath + ".unchangedSinceBase", fields)));
            }

            guard = new ActionGuard(exists, fieldIn, unchanged);
        }

        var effects = new List<ActionEffect>();
        if (element.TryGetProperty("effects", out var effectsElement))
        {
            foreach (var property in Object(effectsElement, path + ".effects").EnumerateObject())
            {
                var field = KnownField(property.Name, path + ".effects", fields);
                var effectPath = $"{path}.effects.{property.Name}";
                if (property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } text && text.StartsWith('$') && !text.StartsWith("$$", StringComparison.Ordinal))
                {
                    effects.Add(text switch
                    {
                        "$now" => new ActionEffect(field, EffectSource.Now),
                        "$user" => new ActionEffect(field, EffectSource.User),
                        _ when text.StartsWith("$arg.", StringComparison.Ordinal) && arguments.ContainsKey(new FieldName(text[5..])) =>
                            new ActionEffect(field, EffectSource.Argument, default, new FieldName(text[5..])),
                        _ => throw new ConfigurationException(effectPath, $"unknown placeholder '{text}' ($now, $user, $arg.<argument>; write $$ for a literal $)"),
                    });
                }
                else
                {
                    var literal = Literal(property.Value, effectPath);
                    if (literal.Kind == ValueKind.String && literal.AsString.StartsWith("$$", StringComparison.Ordinal))
                    {
                        literal = Value.String(literal.AsString[1..]);
                    }

                    if (fields[field].Check(literal) is { } rule)
                    {
                        throw new ConfigurationException(effectPath, rule);
                    }

                    effects.Add(new ActionEffect(field, EffectSource.Literal, literal));
                }
            }
        }

        var offline = element.TryGetProperty("offline", out var offlineElement) && Bool(offlineElement, path + ".offline");
        return new ActionDefinition(name, guard, effects, offline, arguments);
    }

    private static RoleDefinition ReadRole(string name, JsonElement element, string path, IReadOnlyDictionary<CollectionName, CollectionSchema> collections)
    {
        var grants = new Dictionary<CollectionName, CollectionGrant>();
        foreach (var property in Object(element, path).EnumerateObject())
        {
            var grantPath = $"{path}.{property.Name}";
            var collection = Name<CollectionName>(property.Name, path, t => new CollectionName(t));
            if (!collections.TryGetValue(collection, out var schema))
            {
                throw new ConfigurationException(grantPath, $"there is no collection '{property.Name}'");
            }

            var grant = Object(property.Value, grantPath);
            Keys(grant, grantPath, "read", "write", "delete", "actions", "filter");
            var read = grant.TryGetProperty("read", out var readElement) && Bool(readElement, grantPath + ".read");
            var write = grant.TryGetProperty("write", out var writeElement) && Bool(writeElement, grantPath + ".write");
            var delete = grant.TryGetProperty("delete", out var deleteElement) && Bool(deleteElement, grantPath + ".delete");
            IReadOnlySet<ActionName>? actions = new HashSet<ActionName>();
            if (grant.TryGetProperty("actions", out var actionsElement))
            {
                if (actionsElement.ValueKind == JsonValueKind.String && actionsElement.GetString() == "*")
                {
                    actions = null;
                }
                else if (actionsElement.ValueKind == JsonValueKind.Array)
                {
                    actions = actionsElement.EnumerateArray().Select((v, i) =>
                    {
                        var action = Name<ActionName>(String(v, $"{grantPath}.actions[{i}]"), grantPath + ".actions", t => new ActionName(t));
                        return schema.Actions.ContainsKey(action) ? action : throw new ConfigurationException($"{grantPath}.actions[{i}]", $"{collection} has no action '{action}'");
                    }).ToHashSet();
                }
                else
                {
                    throw new ConfigurationException(grantPath + ".actions", "expected \"*\" or a list of action names");
                }
            }

            FieldName? filter = null;
            if (grant.TryGetProperty("filter", out var filterElement))
            {
                var filterObject = Object(filterElement, grantPath + ".filter");
                var entries = filterObject.EnumerateObject().ToArray();
                if (entries.Length != 1 || entries[0].Value.ValueKind != JsonValueKind.String || entries[0].Value.GetString() != "$user")
                {
                    throw new ConfigurationException(grantPath + ".filter", "a filter is one field compared with the user: {\"field\": \"$user\"}");
                }

                filter = KnownField(entries[0].Name, grantPath + ".filter", schema.Fields);
            }

            grants.Add(collection, new CollectionGrant(read, write, delete, actions, filter));
        }

        return new RoleDefinition(name, grants);
    }

    private static SyncLimits ReadLimits(JsonElement element, string path)
    {
        Keys(Object(element, path), path, "batchCountMax", "messageBytesMax", "pullPageCountMax", "pushesPerSecondMax");
        var defaults = new SyncLimits();
        int Int(string key, int fallback) => element.TryGetProperty(key, out var e) ? (int)Number(e, $"{path}.{key}") : fallback;
        return new SyncLimits(
            Int("batchCountMax", defaults.BatchCountMax),
            Int("messageBytesMax", defaults.MessageBytesMax),
            Int("pullPageCountMax", defaults.PullPageCountMax),
            element.TryGetProperty("pushesPerSecondMax", out var rate) ? Number(rate, path + ".pushesPerSecondMax") : defaults.PushesPerSecondMax);
    }

    private static FieldName KnownField(string text, string path, IReadOnlyDictionary<FieldName, FieldSchema> fields)
    {
        var field = Name<FieldName>(text, path, t => new FieldName(t));
        return fields.ContainsKey(field) ? field : throw new ConfigurationException(path, $"there is no field '{text}' in this collection");
    }

    private static T Name<T>(string text, string path, Func<string, T> create) =>
        IdentifierRules.CheckName(text) is { } rule ? throw new ConfigurationException(path, $"'{text}': {rule}") : create(text);

    private static JsonElement Object(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new ConfigurationException(path, $"expected an object, found {element.ValueKind}");

    private static void Keys(JsonElement element, string path, params string[] allowed)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new ConfigurationException($"{path}.{property.Name}", $"unknown key (allowed here: {string.Join(", ", allowed)})");
            }
        }
    }

    private static string String(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new ConfigurationException(path, "expected a string");

    private static bool Bool(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ConfigurationException(path, "expected true or false"),
    };

    private static double Number(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble() : throw new ConfigurationException(path, "expected a number");

    private static TimeSpan Duration(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String && TimeSpan.TryParse(element.GetString(), CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new ConfigurationException(path, "expected a positive duration such as \"7.00:00:00\" (days.hours:minutes:seconds)");

    private static Value Literal(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.Null => Value.Null,
        JsonValueKind.True => Value.Bool(true),
        JsonValueKind.False => Value.Bool(false),
        JsonValueKind.String => Value.String(element.GetString()!),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? Value.Int64(integer) : Value.Float64(element.GetDouble()),
        _ => throw new ConfigurationException(path, "expected a string, number, boolean or null"),
    };
}
