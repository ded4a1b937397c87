using CrdtSync.Crdt.Values;

namespace CrdtSync.Bench.Workloads;

/// <summary>The record store of WORKLOADS.md section 3: schema, initial store (seed 42) and update streams.</summary>
internal static class RecordStoreData
{
    public const int InitialSeed = 42;

    /// <summary>The 8 fields in schema order: 3 strings, 3 integers, 2 booleans.</summary>
    public static readonly string[] FieldTexts = ["name", "email", "city", "age", "score", "visits", "active", "admin"];

    public static readonly FieldName[] Fields = [.. FieldTexts.Select(static f => new FieldName(f))];

    /// <summary>Schema indexes in ordinal order of the names (the canonical JSON order).</summary>
    public static readonly int[] OrdinalFieldOrder = [.. Enumerable.Range(0, 8).OrderBy(i => FieldTexts[i], StringComparer.Ordinal)];

    public static string KeyText(int index) => "r" + index.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    public static RecordId[] Keys(int recordCount) => [.. Enumerable.Range(0, recordCount).Select(static i => new RecordId(KeyText(i)))];

    /// <summary>The initial store, record-major in schema order (record i, field f at i * 8 + f).</summary>
    public static Value[] InitialStore(int recordCount)
    {
        var random = new Mulberry32(InitialSeed);
        var store = new Value[recordCount * 8];
        for (var i = 0; i < recordCount; i++)
        {
            for (var f = 0; f < 8; f++)
            {
                store[(i * 8) + f] = f < 3 ? Value.String(random.Str(20)) : f < 6 ? Value.Int64(random.Int(1_000_000)) : Value.Bool(random.Bool());
            }
        }

        return store;
    }

    /// <summary>An update stream of <paramref name="length"/> ops generated against a model that starts at <paramref name="initial"/>.</summary>
    public static UpdateStream Stream(Value[] initial, int recordCount, uint seed, int length)
    {
        var random = new Mulberry32(seed);
        var model = (Value[])initial.Clone();
        var records = new int[length];
        var fields = new byte[length];
        var values = new Value[length];
        var lastPosition = new int[model.Length];
        Array.Fill(lastPosition, -1);
        for (var k = 0; k < length; k++)
        {
            var record = random.Int(recordCount);
            var field = random.Int(8);
            var slot = (record * 8) + field;
            var old = model[slot];
            Value value;
            if (field < 3)
            {
                var text = random.Str(20);
                while (text == old.AsString)
                {
                    text = random.Str(20);
                }

                value = Value.String(text);
            }
            else if (field < 6)
            {
                value = Value.Int64((old.AsInt64 + 1 + random.Int(999_999)) % 1_000_000);
            }
            else
            {
                value = Value.Bool(!old.AsBool);
            }

            model[slot] = value;
            records[k] = record;
            fields[k] = (byte)field;
            values[k] = value;
            lastPosition[slot] = k;
        }

        return new UpdateStream(records, fields, values, model, lastPosition);
    }
}

/// <summary>A generated op stream, stored as parallel arrays, with the model after it and the last position that wrote each (record, field).</summary>
internal sealed record UpdateStream(int[] Records, byte[] Fields, Value[] Values, Value[] FinalModel, int[] LastPosition)
{
    public int Length => Records.Length;
}
