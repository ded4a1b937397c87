using CrdtSync.Crdt.Errors;
using MessagePack;

namespace CrdtSync.Crdt.Encoding;

/// <summary>Maps the MessagePack library's own failures to <see cref="DecodeException"/>, so a decoder fails with one typed error only.</summary>
internal static class DecodeGuard
{
    public static DecodeException Translate(Exception exception) => exception switch
    {
        DecodeException decode => decode,
        EndOfStreamException => new DecodeException(DecodeErrorKind.Truncated, "the bytes end before the value does", -1, exception),
        MessagePackSerializationException when exception.InnerException is EndOfStreamException =>
            new DecodeException(DecodeErrorKind.Truncated, "the bytes end before the value does", -1, exception),
        MessagePackSerializationException or InvalidOperationException or ArgumentException or OverflowException or InvalidIdentifierException =>
            new DecodeException(DecodeErrorKind.Malformed, exception.Message, -1, exception),
        _ => throw new InvalidOperationException("Unexpected failure while decoding.", exception),
    };

    public static bool IsDecodeFailure(Exception exception) =>
        exception is DecodeException or EndOfStreamException or MessagePackSerializationException or InvalidOperationException or ArgumentException or OverflowException or InvalidIdentifierException;
}
