namespace CrdtSync.Crdt.Values;

/// <summary>
/// A validated field name (see <see cref="IdentifierRules"/>). Equality and order are ordinal.
/// </summary>
public readonly record struct FieldName : IComparable<FieldName>
{
    /// <summary>Validates and wraps <paramref name="text"/>.</summary>
    /// <exception cref="Errors.InvalidIdentifierException">The text breaks the name grammar.</exception>
    public FieldName(string text) => Text = IdentifierRules.RequireName("field name", text);

    /// <summary>The name as text.</summary>
    public string Text { get; private init; }

    /// <summary>Wraps text already checked against the grammar (decoders), without checking it again.</summary>
    internal static FieldName FromValidated(string text) => new() { Text = text };

    /// <summary>Wraps <paramref name="text"/> if valid.</summary>
    public static bool TryCreate(string? text, out FieldName name)
    {
        name = default;
        if (IdentifierRules.CheckName(text) is not null)
        {
            return false;
        }

        name = new FieldName(text!);
        return true;
    }

    /// <summary>Validates and wraps a string.</summary>
    public static implicit operator FieldName(string text) => new(text);

    /// <inheritdoc />
    public int CompareTo(FieldName other) => string.CompareOrdinal(Text, other.Text);

    /// <inheritdoc />
    public override string ToString() => Text ?? string.Empty;
}
