using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Cache;
using CrdtSync.Replica.Errors;

namespace CrdtSync.Replica;

/// <summary>The offline cache: subscriptions, their freshness, and explicit offline mode.</summary>
public sealed partial class ReplicaStore
{
    /// <summary>
    /// Subscribes to a collection (optionally only records with <c>filterField = filterValue</c>) so the sync client
    /// downloads it and keeps it offline. Subscribing again replaces the filter and downloads again from the start.
    /// </summary>
    /// <exception cref="UnknownCollectionException">No such collection in the configuration.</exception>
    public Task SubscribeAsync(string collection, string? filterField = null, string? filterValue = null, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        var field = filterField is null ? (FieldName?)null : new FieldName(filterField);
        if (field is not null && filterValue is null)
        {
            throw new ArgumentException("A filter needs a value: pass filterValue with filterField.", nameof(filterValue));
        }

        return Serialized(_ =>
        {
            var (configuration, _) = RequireConfiguration();
            RequireCollection(configuration, collectionName);
            InTransaction(() => _database.Execute(
                """
                INSERT INTO subscriptions (collection, filter_field, filter_value, cursor, downloaded_ms) VALUES ($p0, $p1, $p2, 0, NULL)
                ON CONFLICT (collection) DO UPDATE SET filter_field = excluded.filter_field, filter_value = excluded.filter_value,
                    cursor = CASE WHEN filter_field IS excluded.filter_field AND filter_value IS excluded.filter_value THEN cursor ELSE 0 END,
                    downloaded_ms = CASE WHEN filter_field IS excluded.filter_field AND filter_value IS excluded.filter_value THEN downloaded_ms ELSE NULL END
                """,
                collectionName.Text, field?.Text, filterValue));
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Serialized<IReadOnlyList<Subscription>>(_ => LoadSubscriptions(), cancellationToken);

    /// <summary>How fresh the offline cache of a collection is now.</summary>
    public Task<CacheFreshness> GetFreshnessAsync(string collection, CancellationToken cancellationToken = default)
    {
        var collectionName = new CollectionName(collection);
        return Serialized(_ =>
        {
            var (configuration, _) = RequireConfiguration();
            RequireCollection(configuration, collectionName);
            return FreshnessOf(collectionName, configuration);
        }, cancellationToken);
    }

    /// <summary>
    /// Enters explicit offline mode (kept across restarts): no sync, changes queue, online-only actions are refused.
    /// Refused when there is no subscription or one was never downloaded or has expired: the device would work on
    /// data it cannot trust.
    /// </summary>
    /// <exception cref="CacheExpiredException">The cache is missing or expired; the message names the collections to download.</exception>
    public async Task EnterOfflineModeAsync(CancellationToken cancellationToken = default)
    {
        await EnterOfflineModeCore(cancellationToken).ConfigureAwait(false);
        OfflineModeChanged?.Invoke(this, EventArgs.Empty);
    }

    private Task EnterOfflineModeCore(CancellationToken cancellationToken) => Serialized(_ =>
    {
        var (configuration, _) = RequireConfiguration();
        var subscriptions = LoadSubscriptions();
        if (subscriptions.Count == 0)
        {
            throw new CacheExpiredException("Offline mode needs an offline cache, and there is none. Subscribe to the collections you need and sync while online first.");
        }

        var stale = subscriptions.Where(s => FreshnessOf(s.Collection, configuration) != CacheFreshness.Fresh).Select(s => s.Collection.Text).ToList();
        if (stale.Count > 0)
        {
            throw new CacheExpiredException(
                $"Offline mode cannot start: the offline cache of {string.Join(", ", stale)} is missing or older than {configuration.CacheLifetime:g}. Sync while online to download it again.");
        }

        InTransaction(() => SaveSetting(OfflineKey, "1"));
        _offlineMode = true;
        return true;
    }, cancellationToken);

    /// <summary>Leaves explicit offline mode; the sync client pushes the queued changes when it connects.</summary>
    public async Task LeaveOfflineModeAsync(CancellationToken cancellationToken = default)
    {
        await LeaveOfflineModeCore(cancellationToken).ConfigureAwait(false);
        OfflineModeChanged?.Invoke(this, EventArgs.Empty);
    }

    private Task LeaveOfflineModeCore(CancellationToken cancellationToken) => Serialized(_ =>
    {
        InTransaction(() => SaveSetting(OfflineKey, "0"));
        _offlineMode = false;
        return true;
    }, cancellationToken);

    private List<Subscription> LoadSubscriptions()
    {
        var subscriptions = new List<Subscription>();
        using var reader = _database.Command("SELECT collection, filter_field, filter_value, cursor, downloaded_ms FROM subscriptions ORDER BY collection").ExecuteReader();
        while (reader.Read())
        {
            subscriptions.Add(new Subscription(
                new CollectionName(reader.GetString(0)),
                reader.IsDBNull(1) ? (FieldName?)null : new FieldName(reader.GetString(1)),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt64(3),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return subscriptions;
    }
}
