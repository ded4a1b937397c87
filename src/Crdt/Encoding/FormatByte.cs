namespace CrdtSync.Crdt.Encoding;

/// <summary>
/// The leading byte of every encoded payload: the high nibble names the payload kind, the low nibble its
/// format version. A decoder refuses another kind (<c>WrongFormat</c>) and a version it does not know
/// (<c>UnknownVersion</c>: the writer is newer, upgrade).
/// </summary>
public static class FormatByte
{
    /// <summary>One change, format version 1.</summary>
    public const byte ChangeV1 = 0x01;

    /// <summary>One record state, format version 1.</summary>
    public const byte RecordStateV1 = 0x11;

    /// <summary>A compact batch of changes, format version 1.</summary>
    public const byte BatchV1 = 0x21;

    /// <summary>A compact snapshot of record states, format version 1.</summary>
    public const byte SnapshotV1 = 0x31;

    internal static void Check(ReadOnlySpan<byte> bytes, byte expected, string what)
    {
        if (bytes.IsEmpty)
        {
            throw new Errors.DecodeException(Errors.DecodeErrorKind.Empty, $"no bytes where {what} was expected", 0);
        }

        var actual = bytes[0];
        if (actual == expected)
        {
            return;
        }

        if ((actual & 0xF0) == (expected & 0xF0))
        {
            throw new Errors.DecodeException(Errors.DecodeErrorKind.UnknownVersion,
                $"{what} in format version {actual & 0x0F}, this build reads version {expected & 0x0F}: upgrade CrdtSync", 0);
        }

        throw new Errors.DecodeException(Errors.DecodeErrorKind.WrongFormat, $"format byte 0x{actual:x2} is not {what} (0x{expected:x2})", 0);
    }
}
