using CrdtSync.Replica.Cache;

namespace CrdtSync.Replica.Api;

/// <summary>The records that match a query, and how fresh the collection's offline cache is (an expired cache says so here).</summary>
public sealed record QueryResult(IReadOnlyList<RecordSnapshot> Records, CacheFreshness Freshness);
