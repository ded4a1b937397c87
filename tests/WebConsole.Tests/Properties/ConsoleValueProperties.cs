using System.Globalization;
using System.Text.Json.Nodes;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Values;
using CrdtSync.WebConsole.Api;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.WebConsole.Tests.Properties;

/// <summary>Laws of how the console reads field values from JSON (forms send text; the field's type decides).</summary>
public sealed class ConsoleValueProperties
{
    private static IReadOnlyDictionary<FieldName, FieldSchema> Schema(FieldType type) =>
        new Dictionary<FieldName, FieldSchema> { [new FieldName("f")] = new(new FieldName("f"), type) };

    private static Value Read(JsonNode? value, FieldType type) =>
        ConsoleValues.FromJson(new JsonObject { ["f"] = value }, Schema(type), "fields")["f"];

    [Fact]
    public void An_integer_reads_the_same_from_form_text_as_from_a_json_number()
    {
        PropertyRunner.Check(Prop.ForAll(ArbMap.Default.ArbFor<long>(), n =>
            Read(JsonValue.Create(n.ToString(CultureInfo.InvariantCulture)), FieldType.Int64) == Value.Int64(n)
            && Read(JsonValue.Create(n), FieldType.Int64) == Value.Int64(n)));
    }

    [Fact]
    public void Any_text_for_any_field_type_is_either_a_value_or_a_typed_invalid_value_naming_the_field()
    {
        var types = Gen.Elements(Enum.GetValues<FieldType>());
        PropertyRunner.Check(Prop.ForAll(ArbMap.Default.ArbFor<string>(), types.ToArbitrary(), (text, type) =>
        {
            try
            {
                var value = Read(text is null ? null : JsonValue.Create(text), type);
                return text is null ? value.IsNull : type is not (FieldType.String or FieldType.Any) || value == Value.String(text);
            }
            catch (ConsoleRequestException error)
            {
                return error.Code == "invalid_value" && error.Field == "f" && type is not (FieldType.String or FieldType.Any);
            }
        }));
    }

    [Fact]
    public void A_value_shown_by_the_console_reads_back_as_the_same_value_through_its_field_type()
    {
        var values = Gen.OneOf(
            ArbMap.Default.GeneratorFor<long>().Select(n => (Value.Int64(n), FieldType.Int64)),
            ArbMap.Default.GeneratorFor<bool>().Select(b => (Value.Bool(b), FieldType.Bool)),
            ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => (Value.String(s.Get), FieldType.String)),
            Gen.Choose(0, int.MaxValue).Select(ms => (Value.TimestampMilliseconds(ms * 1000L), FieldType.Timestamp)),
            ArbMap.Default.GeneratorFor<NormalFloat>().Select(d => (Value.Float64(d.Get), FieldType.Float64)));
        PropertyRunner.Check(Prop.ForAll(values.ToArbitrary(), pair =>
        {
            var (value, type) = pair;
            var shown = ReplicaJson.Value(value);
            var asText = shown is null ? null : JsonValue.Create(shown.GetValueKind() == System.Text.Json.JsonValueKind.String ? shown.GetValue<string>() : shown.ToJsonString());
            return Read(shown, type) == value && (type is FieldType.String || Read(asText, type) == value);
        }));
    }
}
