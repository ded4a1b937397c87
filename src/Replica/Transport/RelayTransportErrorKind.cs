namespace CrdtSync.Replica.Transport;

/// <summary>Why a call to the relay failed, and so what the sync client does about it.</summary>
public enum RelayTransportErrorKind
{
    /// <summary>The relay could not be reached or the connection dropped: retry with backoff.</summary>
    Unavailable,
    /// <summary>The call ran out of time: retry with backoff.</summary>
    DeadlineExceeded,
    /// <summary>The relay is overloaded or a limit was hit (rate, size): retry later, smaller.</summary>
    ResourceExhausted,
    /// <summary>The device token is missing, wrong or revoked: stop and ask for a new token.</summary>
    Unauthenticated,
    /// <summary>The device may not do this (forged origin, collection not readable): stop that call.</summary>
    PermissionDenied,
    /// <summary>The relay refused the request as malformed: a bug or a version mismatch; do not retry as is.</summary>
    InvalidArgument,
    /// <summary>Anything else.</summary>
    Other,
}
