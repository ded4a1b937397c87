using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Storage;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrdtSync.Replica;

/// <summary>
/// A replica: the offline record store of one device on one SQLite file, with its outbox, its offline
/// cache and the side a sync client drives (<see cref="IReplicaSync"/>). See DESIGN.md §4 and docs/replica.md.
/// </summary>
/// <remarks>
/// Every operation is one SQLite transaction (a local write stores the record and its outbox entry together),
/// and operations are serialized. Events are raised after the commit, on the caller's thread. Time and
/// randomness (record ids, the replica id) come from the injected <see cref="TimeProvider"/> and <see cref="Random"/>.
/// </remarks>
public sealed partial class ReplicaStore : IReplicaSync, IDisposable
{
    private const string ConfigurationKey = "configuration";
    private const string UserKey = "user";
    private const string RolesKey = "roles";
    private const string OfflineKey = "offline_mode";

    private readonly ReplicaDatabase _database;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HybridLogicalClock _clock;
    private long _lastSequence;
    private SyncConfiguration? _configuration;
    private Principal? _principal;
    private bool _offlineMode;
    private volatile bool _connected;
    private bool _disposed;

    private ReplicaStore(ReplicaDatabase database, TimeProvider time, Random random, ILogger logger, ReplicaId? wantedId = null)
    {
        _database = database;
        _time = time;
        _random = random;
        _logger = logger;
        (ReplicaId, _lastSequence, var clockTime) = LoadOrCreateIdentity(wantedId);
        _clock = new HybridLogicalClock(ReplicaId, time, clockTime);
        LoadSettings();
    }

    /// <summary>Raised after a commit changed a record's visible state.</summary>
    public event EventHandler<RecordChangedEventArgs>? RecordChanged;

    /// <summary>Raised after a commit changed a record's status (synced, pending, conflict, error).</summary>
    public event EventHandler<RecordStatusChangedEventArgs>? RecordStatusChanged;

    /// <summary>Raised after a commit added, changed or removed outbox entries.</summary>
    public event EventHandler<OutboxChangedEventArgs>? OutboxChanged;

    /// <summary>Raised after explicit offline mode was entered or left (<see cref="IsInOfflineMode"/> tells which).</summary>
    public event EventHandler? OfflineModeChanged;

    /// <summary>This replica's id, made once when the database was created and kept in it.</summary>
    public ReplicaId ReplicaId { get; }

    /// <summary>The configuration set by <see cref="ConfigureAsync"/>, or null before.</summary>
    public SyncConfiguration? Configuration => _configuration;

    /// <summary>Who acts on this replica, or null before <see cref="ConfigureAsync"/>.</summary>
    public Principal? Principal => _principal;

    /// <summary>True in explicit offline mode, or while the sync client reports no connection.</summary>
    public bool IsOffline => _offlineMode || !_connected;

    /// <summary>True in explicit offline mode (see <see cref="EnterOfflineModeAsync"/>).</summary>
    public bool IsInOfflineMode => _offlineMode;

    /// <summary>Opens (or creates) the replica database at <see cref="ReplicaOptions.DatabasePath"/>, migrating its schema.</summary>
    /// <param name="options">Where and how durably.</param>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">The random source for ids; a new unseeded one when null.</param>
    /// <param name="logger">Where to log; nothing when null.</param>
    public static ReplicaStore Open(ReplicaOptions options, TimeProvider? time = null, Random? random = null, ILogger<ReplicaStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("ReplicaOptions.DatabasePath is empty: set the path of the replica's SQLite file.", nameof(options));
        }

        var database = ReplicaDatabase.Open(options.DatabasePath, options.Durability);
        try
        {
            var store = new ReplicaStore(database, time ?? TimeProvider.System, random ?? new Random(), (ILogger?)logger ?? NullLogger.Instance, options.ReplicaId);
            store._logger.LogInformation("Opened replica {ReplicaId} at {Path} (synchronous={Durability})", store.ReplicaId, options.DatabasePath, options.Durability);
            return store;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Opens (or creates) the replica database; see <see cref="Open"/>.</summary>
    public static Task<ReplicaStore> OpenAsync(ReplicaOptions options, TimeProvider? time = null, Random? random = null, ILogger<ReplicaStore>? logger = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open(options, time, random, logger));
    }

    /// <inheritdoc />
    public Task ConfigureAsync(string configurationJson, string user, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurationJson);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentNullException.ThrowIfNull(roles);
        var configuration = SyncConfigurationJson.Parse(configurationJson);
        var principal = new Principal(user, roles.ToHashSet(StringComparer.Ordinal));
        return Serialized(notes =>
        {
            InTransaction(() =>
            {
                SaveSetting(ConfigurationKey, configurationJson);
                SaveSetting(UserKey, user);
                SaveSetting(RolesKey, string.Join('\n', roles));
            });
            _configuration = configuration;
            _principal = principal;
            _clock = new HybridLogicalClock(ReplicaId, _time, _clock.LastTime, configuration.ClockSkewMax);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public void SetConnected(bool connected) => _connected = connected;

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _gate.Wait();
        try
        {
            _database.Dispose();
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }

    /// <summary>The raw database connection, for tests and diagnostics (integrity checks).</summary>
    internal ReplicaDatabase Database => _database;

    private void LoadSettings()
    {
        var json = LoadSetting(ConfigurationKey);
        var user = LoadSetting(UserKey);
        if (json is not null && user is not null)
        {
            _configuration = SyncConfigurationJson.Parse(json);
            var roles = (LoadSetting(RolesKey) ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            _principal = new Principal(user, roles.ToHashSet(StringComparer.Ordinal));
            _clock = new HybridLogicalClock(ReplicaId, _time, _clock.LastTime, _configuration.ClockSkewMax);
        }

        _offlineMode = LoadSetting(OfflineKey) == "1";
    }

    private string? LoadSetting(string key) => (string?)_database.Scalar("SELECT value FROM settings WHERE key = $p0", key);

    private void SaveSetting(string key, string value) =>
        _database.Execute("INSERT INTO settings (key, value) VALUES ($p0, $p1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);

    private (SyncConfiguration Configuration, Principal Principal) RequireConfiguration() =>
        _configuration is { } configuration && _principal is { } principal ? (configuration, principal) : throw new NotConfiguredException();

    private static CollectionSchema RequireCollection(SyncConfiguration configuration, CollectionName collection) =>
        configuration.Collections.TryGetValue(collection, out var schema) ? schema : throw new UnknownCollectionException(collection, configuration.Collections.Keys);

    /// <summary>Runs <paramref name="work"/> alone, then raises the events it gathered (after its commit).</summary>
    private async Task<T> Serialized<T>(Func<Notifications, T> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var notes = new Notifications();
        T result;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            result = work(notes);
        }
        finally
        {
            _gate.Release();
        }

        Raise(notes);
        return result;
    }

    private void InTransaction(Action work)
    {
        _database.Begin();
        try
        {
            work();
            _database.Commit();
        }
        catch
        {
            _database.Rollback();
            throw;
        }
    }

    private void Raise(Notifications notes)
    {
        foreach (var changed in notes.RecordsChanged)
        {
            RecordChanged?.Invoke(this, changed);
        }

        foreach (var changed in notes.StatusesChanged)
        {
            RecordStatusChanged?.Invoke(this, changed);
        }

        if (notes.OutboxChanged)
        {
            OutboxChanged?.Invoke(this, new OutboxChangedEventArgs(notes.OutboxCount));
        }
    }

    /// <summary>Marks the outbox changed and counts it (only when someone listens).</summary>
    private void NoteOutboxChanged(Notifications notes)
    {
        notes.OutboxChanged = true;
        if (OutboxChanged is not null)
        {
            notes.OutboxCount = (int)(long)_database.Scalar("SELECT count(*) FROM outbox")!;
        }
    }
}
