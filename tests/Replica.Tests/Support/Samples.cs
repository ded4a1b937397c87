using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Tests.Support;

internal static class Samples
{
    public static readonly string IncidentsJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "incidents.json"));

    public static readonly DateTimeOffset Start = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    public static Dictionary<string, Value> Fields(params (string Name, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => ToValue(f.Value));

    public static Value ToValue(object? value) => value switch
    {
        null => Value.Null,
        Value v => v,
        string s => Value.String(s),
        int i => Value.Int64(i),
        long l => Value.Int64(l),
        bool b => Value.Bool(b),
        double d => Value.Float64(d),
        DateTimeOffset t => Value.Timestamp(t),
        _ => throw new ArgumentException($"No value for {value.GetType()}"),
    };
}
