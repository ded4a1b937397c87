namespace CrdtSync.Crdt.Errors;

/// <summary>Why bytes were refused by a canonical decoder.</summary>
public enum DecodeErrorKind
{
    /// <summary>No bytes at all.</summary>
    Empty,
    /// <summary>The leading format byte names a format this build does not know (a newer writer: upgrade).</summary>
    UnknownVersion,
    /// <summary>The leading format byte names another kind of payload (for example a record state given as a change).</summary>
    WrongFormat,
    /// <summary>The bytes end in the middle of a value.</summary>
    Truncated,
    /// <summary>Bytes remain after the complete value.</summary>
    TrailingBytes,
    /// <summary>A value is not in its one canonical form (a longer integer or length form, unsorted keys, a non-canonical float).</summary>
    NonCanonical,
    /// <summary>A map holds the same key twice.</summary>
    DuplicateKey,
    /// <summary>The structure is not what the format says (wrong type, wrong number of elements, unknown kind).</summary>
    Malformed,
    /// <summary>A value is well-formed but not allowed (an invalid identifier, a sequence of zero, a stamp out of range).</summary>
    InvalidValue,
    /// <summary>A size limit of the decoder was exceeded.</summary>
    TooLarge,
}
