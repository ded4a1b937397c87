using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Bench.Workloads;

/// <summary>Canonical JSON of the <c>records</c> map (WORKLOADS.md section 5) and its SHA-256 digest.</summary>
internal static class CanonicalJson
{
    public static string DigestOfModel(Value[] model, int recordCount)
    {
        var builder = new StringBuilder(recordCount * 160);
        builder.Append('{');
        for (var i = 0; i < recordCount; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            AppendString(builder, RecordStoreData.KeyText(i));
            builder.Append(":{");
            var first = true;
            foreach (var f in RecordStoreData.OrdinalFieldOrder)
            {
                if (!first)
                {
                    builder.Append(',');
                }

                first = false;
                AppendString(builder, RecordStoreData.FieldTexts[f]);
                builder.Append(':');
                AppendValue(builder, model[(i * 8) + f]);
            }

            builder.Append('}');
        }

        builder.Append('}');
        return Digest(builder);
    }

    public static string DigestOfStates(IEnumerable<RecordState> states)
    {
        var sorted = states.Where(static s => s.Exists).OrderBy(static s => s.Id.Text, StringComparer.Ordinal).ToList();
        var builder = new StringBuilder(sorted.Count * 160);
        builder.Append('{');
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            AppendString(builder, sorted[i].Id.Text);
            builder.Append(":{");
            var first = true;
            foreach (var (name, entry) in sorted[i].SortedFields())
            {
                if (!first)
                {
                    builder.Append(',');
                }

                first = false;
                AppendString(builder, name.Text);
                builder.Append(':');
                AppendValue(builder, entry.Value);
            }

            builder.Append('}');
        }

        builder.Append('}');
        return Digest(builder);
    }

    /// <summary>Digest of plain values read out of a replica: key → (field → value).</summary>
    public static string DigestOfPlain(Dictionary<string, Dictionary<string, object?>> plain)
    {
        var builder = new StringBuilder(plain.Count * 160);
        builder.Append('{');
        var firstRecord = true;
        foreach (var key in plain.Keys.OrderBy(static k => k, StringComparer.Ordinal))
        {
            if (!firstRecord)
            {
                builder.Append(',');
            }

            firstRecord = false;
            AppendString(builder, key);
            builder.Append(":{");
            var first = true;
            foreach (var (name, value) in plain[key].OrderBy(static e => e.Key, StringComparer.Ordinal))
            {
                if (!first)
                {
                    builder.Append(',');
                }

                first = false;
                AppendString(builder, name);
                builder.Append(':');
                switch (value)
                {
                    case null: builder.Append("null"); break;
                    case bool b: builder.Append(b ? "true" : "false"); break;
                    case long l: builder.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                    case string s: AppendString(builder, s); break;
                    default: AppendString(builder, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty); break;
                }
            }

            builder.Append('}');
        }

        builder.Append('}');
        return Digest(builder);
    }

    private static string Digest(StringBuilder builder) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));

    private static void AppendValue(StringBuilder builder, Value value)
    {
        switch (value.Kind)
        {
            case ValueKind.Null: builder.Append("null"); break;
            case ValueKind.Bool: builder.Append(value.AsBool ? "true" : "false"); break;
            case ValueKind.Int64: builder.Append(value.AsInt64.ToString(CultureInfo.InvariantCulture)); break;
            case ValueKind.String: AppendString(builder, value.AsString); break;
            default: AppendString(builder, value.ToString()); break;
        }
    }

    private static void AppendString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
