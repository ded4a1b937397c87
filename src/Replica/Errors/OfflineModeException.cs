namespace CrdtSync.Replica.Errors;

/// <summary>The replica is in explicit offline mode, so nothing goes to the network: leave offline mode first.</summary>
public sealed class OfflineModeException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public OfflineModeException()
        : base("The replica is in offline mode, so it does not contact the relay. Leave offline mode to sync.") { }
}
