namespace CrdtSync.Crdt.Errors;

/// <summary>A collection name, field name, action name or record id does not follow its grammar.</summary>
public sealed class InvalidIdentifierException : CrdtException
{
    /// <summary>Creates the error.</summary>
    public InvalidIdentifierException(string kind, string? text, string rule)
        : base($"Invalid {kind} {Describe(text)}: {rule}")
    {
        Kind = kind;
        Text = text;
    }

    /// <summary>What kind of identifier was checked (<c>field name</c>, <c>collection name</c>, ...).</summary>
    public string Kind { get; }

    /// <summary>The rejected text, as given.</summary>
    public string? Text { get; }

    private static string Describe(string? text) =>
        text is null ? "(null)" : "'" + string.Concat(text.Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) + "'";
}
