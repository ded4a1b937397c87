namespace CrdtSync.Relay.Configuration;

/// <summary>Which store a relay keeps its log, records, outcomes, devices and roles in.</summary>
public enum RelayStoreKind
{
    /// <summary>One SQLite file in the data directory: one relay instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by one or more relay instances (DESIGN.md §7).</summary>
    Postgres,
}
