namespace CrdtSync.Replica.Peers;

/// <summary>A peer sent something the peer protocol forbids (a guarded change, a change of this replica's own origin claimed by another, bad bytes).</summary>
public sealed class PeerProtocolException : Exception
{
    /// <summary>Creates the exception with a message a person understands.</summary>
    public PeerProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the decode error behind it.</summary>
    public PeerProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
