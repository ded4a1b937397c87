namespace CrdtSync.Replica.Cache;

/// <summary>How far a collection's offline cache can be trusted.</summary>
public enum CacheFreshness
{
    /// <summary>Downloaded within the cache lifetime.</summary>
    Fresh,
    /// <summary>Downloaded, but longer ago than the cache lifetime: the data may be out of date.</summary>
    Expired,
    /// <summary>Subscribed but never fully downloaded.</summary>
    NotDownloaded,
    /// <summary>Not subscribed: only records made or touched on this device are here.</summary>
    NotSubscribed,
}
