namespace CrdtSync.Replica.Transport;

/// <summary>A call to the relay failed as a whole (not a per-change outcome).</summary>
public sealed class RelayTransportException : Exception
{
    /// <summary>Creates the error.</summary>
    public RelayTransportException(RelayTransportErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public RelayTransportErrorKind Kind { get; }

    /// <summary>True when retrying later (with backoff) can succeed.</summary>
    public bool IsTransient => Kind is RelayTransportErrorKind.Unavailable or RelayTransportErrorKind.DeadlineExceeded or RelayTransportErrorKind.ResourceExhausted;
}
