using CrdtSync.Crdt.Errors;

namespace CrdtSync.Crdt.Values;

/// <summary>
/// A validated record id, made by the client (a UUIDv7 by default). See <see cref="IdentifierRules"/>.
/// Equality and order are ordinal.
/// </summary>
public readonly record struct RecordId : IComparable<RecordId>
{
    /// <summary>Validates and wraps <paramref name="text"/>.</summary>
    /// <exception cref="InvalidIdentifierException">The text breaks the record id grammar.</exception>
    public RecordId(string text) =>
        Text = IdentifierRules.CheckRecordId(text) is { } rule ? throw new InvalidIdentifierException("record id", text, rule) : text;

    /// <summary>The id as text.</summary>
    public string Text { get; private init; }

    /// <summary>Wraps text already checked against the grammar (decoders), without checking it again.</summary>
    internal static RecordId FromValidated(string text) => new() { Text = text };

    /// <summary>Wraps <paramref name="text"/> if valid.</summary>
    public static bool TryCreate(string? text, out RecordId id)
    {
        id = default;
        if (IdentifierRules.CheckRecordId(text) is not null)
        {
            return false;
        }

        id = new RecordId(text!);
        return true;
    }

    /// <summary>A new UUIDv7 record id from the given time and random source (time ordered, so ids sort by creation).</summary>
    public static RecordId NewUuidV7(DateTimeOffset now, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var milliseconds = now.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(milliseconds >> (8 * (5 - i)));
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        var guid = new Guid(bytes, bigEndian: true);
        return new RecordId(guid.ToString("D"));
    }

    /// <summary>Validates and wraps a string.</summary>
    public static implicit operator RecordId(string text) => new(text);

    /// <inheritdoc />
    public int CompareTo(RecordId other) => string.CompareOrdinal(Text, other.Text);

    /// <inheritdoc />
    public override string ToString() => Text ?? string.Empty;
}
