namespace CrdtSync.Relay.Authority;

/// <summary>Why a whole call is refused (as opposed to a per-change outcome).</summary>
public enum RelayErrorKind
{
    /// <summary>The request is malformed (bad bytes, unknown collection, bad filter).</summary>
    InvalidArgument,
    /// <summary>The caller lacks a right the call needs (reading a collection, pushing as another device).</summary>
    PermissionDenied,
    /// <summary>A limit was exceeded (batch size, push rate).</summary>
    ResourceExhausted,
    /// <summary>No valid credential.</summary>
    Unauthenticated,
    /// <summary>Something the caller asked for does not exist.</summary>
    NotFound,
}

/// <summary>A refusal of a whole call, with a message safe to show the caller. The gRPC layer maps it to a status.</summary>
public sealed class RelayRequestException(RelayErrorKind kind, string message) : Exception(message)
{
    /// <summary>Why the call was refused.</summary>
    public RelayErrorKind Kind { get; } = kind;
}
