namespace CrdtSync.Replica.Errors;

/// <summary>The replica has no configuration yet (collections, roles, user).</summary>
public sealed class NotConfiguredException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public NotConfiguredException()
        : base("The replica has no configuration yet. Call ConfigureAsync(configurationJson, user, roles) (the relay handshake does it) before reading or writing records.") { }
}
