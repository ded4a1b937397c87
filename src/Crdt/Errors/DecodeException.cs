namespace CrdtSync.Crdt.Errors;

/// <summary>
/// Bytes were refused by a canonical decoder. Decoding is all or nothing: when this is thrown,
/// nothing of the input was accepted.
/// </summary>
public sealed class DecodeException : CrdtException
{
    /// <summary>Creates the error.</summary>
    public DecodeException(DecodeErrorKind kind, string detail, long offset = -1, Exception? inner = null)
        : base(offset >= 0 ? $"Cannot decode ({kind}) at byte {offset}: {detail}" : $"Cannot decode ({kind}): {detail}", inner)
    {
        Kind = kind;
        Offset = offset;
    }

    /// <summary>The machine-readable reason.</summary>
    public DecodeErrorKind Kind { get; }

    /// <summary>Byte offset where the problem was found, or -1 when unknown.</summary>
    public long Offset { get; }
}
