using CrdtSync.Crdt.Errors;

namespace CrdtSync.Crdt.Values;

/// <summary>
/// The grammars of names. A <em>name</em> (collection, field, action) is 1 to 64 characters:
/// an ASCII letter or underscore, then ASCII letters, digits or underscores. A <em>record id</em>
/// is 1 to 128 characters of ASCII letters, digits and <c>- _ . :</c> (a UUIDv7 in its text form fits).
/// </summary>
public static class IdentifierRules
{
    /// <summary>Longest name.</summary>
    public const int NameLengthMax = 64;

    /// <summary>Longest record id.</summary>
    public const int RecordIdLengthMax = 128;

    /// <summary>Returns null when <paramref name="text"/> is a valid name, else the rule it breaks.</summary>
    public static string? CheckName(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "a name cannot be empty";
        }

        if (text.Length > NameLengthMax)
        {
            return $"a name is at most {NameLengthMax} characters, this one has {text.Length}";
        }

        if (!(char.IsAsciiLetter(text[0]) || text[0] == '_'))
        {
            return "a name starts with an ASCII letter or '_'";
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return char.IsControl(c)
                    ? "a name cannot hold control characters"
                    : $"a name holds only ASCII letters, digits and '_' (found '{c}')";
            }
        }

        return null;
    }

    /// <summary>Returns null when <paramref name="text"/> is a valid record id, else the rule it breaks.</summary>
    public static string? CheckRecordId(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "a record id cannot be empty";
        }

        if (text.Length > RecordIdLengthMax)
        {
            return $"a record id is at most {RecordIdLengthMax} characters, this one has {text.Length}";
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return char.IsControl(c)
                    ? "a record id cannot hold control characters"
                    : $"a record id holds only ASCII letters, digits and '-', '_', '.', ':' (found '{c}')";
            }
        }

        return null;
    }

    internal static string RequireName(string kind, string? text) =>
        CheckName(text) is { } rule ? throw new InvalidIdentifierException(kind, text, rule) : text!;
}
