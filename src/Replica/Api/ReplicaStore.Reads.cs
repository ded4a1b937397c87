using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica;

/// <summary>Reads: one record, a query of a collection, the actions available on a record.</summary>
public sealed partial class ReplicaStore
{
    /// <summary>The record as the app sees it now, or null when it does not exist here (or is deleted).</summary>
    /// <exception cref="Errors.UnknownCollectionException">No such collection in the configuration.</exception>
    public Task<RecordSnapshot?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        return Serialized(_ =>
        {
            var (configuration, _) = RequireConfiguration();
            RequireCollection(configuration, collectionName);
            var row = LoadRecord(collectionName, recordId);
            return row is null || !row.Visible.Exists ? null : new RecordSnapshot(row.Visible, row.Status, FreshnessOf(collectionName, configuration));
        }, cancellationToken);
    }

    /// <summary>The sync status of a record, also when it is deleted or purged but still has outbox entries; <see cref="RecordStatus.Synced"/> when unknown here.</summary>
    public Task<RecordStatus> GetRecordStatusAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        return Serialized(_ => (RecordStatus?)(long?)_database.Scalar(
            "SELECT status FROM records WHERE collection = $p0 AND record_id = $p1", collectionName.Text, recordId.Text) ?? RecordStatus.Synced, cancellationToken);
    }

    /// <summary>The records of a collection that match the query's filters, in its order, with the cache's freshness.</summary>
    /// <exception cref="Errors.UnknownCollectionException">No such collection in the configuration.</exception>
    public Task<QueryResult> QueryAsync(RecordQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Serialized(_ =>
        {
            var (configuration, _) = RequireConfiguration();
            RequireCollection(configuration, query.Collection);
            var freshness = FreshnessOf(query.Collection, configuration);
            var matches = new List<RecordSnapshot>();
            using (var reader = _database.Command(
                "SELECT coalesce(visible, confirmed), status FROM records WHERE collection = $p0 AND visible_exists = 1", query.Collection.Text).ExecuteReader())
            {
                while (reader.Read())
                {
                    var state = RecordStateCodec.Decode((byte[])reader[0]);
                    if (query.Filters.All(f => f.Matches(state[f.Field])))
                    {
                        matches.Add(new RecordSnapshot(state, (RecordStatus)reader.GetInt64(1), freshness));
                    }
                }
            }

            Comparison<RecordSnapshot> byId = (a, b) => a.Id.CompareTo(b.Id);
            Comparison<RecordSnapshot> order = query.OrderBy is { } field
                ? (a, b) => a.State[field].CompareTo(b.State[field]) is var c && c != 0 ? c : byId(a, b)
                : byId;
            matches.Sort(query.Descending ? (a, b) => order(b, a) : order);
            IReadOnlyList<RecordSnapshot> records = query.Limit is { } limit ? matches.Take(limit).ToList() : matches;
            return new QueryResult(records, freshness);
        }, cancellationToken);
    }

    /// <summary>
    /// The actions the user can perform on the record now: its guard holds on the visible state, the user's roles
    /// allow it, and while offline only those the configuration allows offline. Empty for a locked or deleted record.
    /// </summary>
    public Task<IReadOnlyList<ActionName>> GetAvailableActionsAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var recordId = new RecordId(id);
        return Serialized<IReadOnlyList<ActionName>>(_ =>
        {
            var (configuration, principal) = RequireConfiguration();
            RequireCollection(configuration, collectionName);
            var row = LoadRecord(collectionName, recordId);
            if (row is null || !row.Visible.Exists || row.Status is RecordStatus.Conflict or RecordStatus.Error)
            {
                return [];
            }

            return ChangeRules.AvailableActions(configuration, principal, row.Visible, IsOffline);
        }, cancellationToken);
    }

    /// <summary>The confirmed state of a record (what the authority has acknowledged), or null. For diagnostics and tests.</summary>
    internal RecordState? GetConfirmed(CollectionName collection, RecordId id)
    {
        _gate.Wait();
        try
        {
            return LoadRecord(collection, id)?.Confirmed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private CacheFreshness FreshnessOf(CollectionName collection, SyncConfiguration configuration)
    {
        using var reader = _database.Command("SELECT downloaded_ms FROM subscriptions WHERE collection = $p0", collection.Text).ExecuteReader();
        if (!reader.Read())
        {
            return CacheFreshness.NotSubscribed;
        }

        if (reader.IsDBNull(0))
        {
            return CacheFreshness.NotDownloaded;
        }

        var downloaded = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0));
        return _time.GetUtcNow() - downloaded > configuration.CacheLifetime ? CacheFreshness.Expired : CacheFreshness.Fresh;
    }
}
