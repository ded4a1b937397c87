namespace CrdtSync.Replica.Errors;

/// <summary>Offline mode cannot start: a subscription was never downloaded, or its download is older than the cache lifetime.</summary>
public sealed class CacheExpiredException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public CacheExpiredException(string message) : base(message) { }
}
