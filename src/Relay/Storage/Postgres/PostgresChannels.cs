namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>The LISTEN/NOTIFY channels relay instances sharing one database talk on.</summary>
internal static class PostgresChannels
{
    /// <summary>Notified (payload: the new log head) by every transaction that appended to the log, at its commit.</summary>
    public const string Log = "crdtsync_log";

    /// <summary>Notified by every change of devices or roles, at its commit.</summary>
    public const string Access = "crdtsync_access";
}
