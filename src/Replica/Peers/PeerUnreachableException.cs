using Grpc.Core;

namespace CrdtSync.Replica.Peers;

/// <summary>A call to a peer failed: it is down or unreachable, timed out, or refused this replica (wrong team credential).</summary>
public sealed class PeerUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerUnreachableException(Uri peer, StatusCode statusCode, string detail, Exception inner)
        : base(statusCode == StatusCode.Unauthenticated
            ? $"The peer at {peer} refused this replica's team credential: {detail}"
            : $"The peer at {peer} did not answer ({statusCode}): {detail}", inner)
    {
        Peer = peer;
        StatusCode = statusCode;
    }

    /// <summary>The peer's address.</summary>
    public Uri Peer { get; }

    /// <summary>The gRPC status of the failed call (<c>Unauthenticated</c>: wrong team credential).</summary>
    public StatusCode StatusCode { get; }
}
