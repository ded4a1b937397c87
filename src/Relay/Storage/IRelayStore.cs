using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// Everything the relay keeps: its identity, the log, the merged record states, the outcomes by change id,
/// devices and role grants. The embedded SQLite store is the default; a PostgreSQL store implements the same
/// contract (several relay instances sharing one database).
/// </summary>
/// <remarks>
/// Contract every implementation keeps:
/// <list type="bullet">
/// <item><see cref="WriteAsync{TResult}"/> runs its work in one durable transaction (committed before the
/// returned task completes; rolled back, as a whole, when the work throws).</item>
/// <item>Log sequences are assigned inside write transactions and become visible to readers in sequence order:
/// a reader that sees sequence n sees every sequence below n that will ever exist. (SQLite: one writer at a time.
/// PostgreSQL: a transaction-level advisory lock around the sequence assignment and commit.)</item>
/// <item>A read (<see cref="ReadLogAsync"/>, <see cref="ReadSnapshotAsync"/>) sees one consistent committed state.</item>
/// </list>
/// </remarks>
public interface IRelayStore : IAsyncDisposable
{
    /// <summary>Creates the schema when needed and returns the relay's identity (made once with <paramref name="newReplicaId"/>).</summary>
    Task<RelayIdentity> InitializeAsync(Func<ReplicaId> newReplicaId, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one durable write transaction.</summary>
    Task<TResult> WriteAsync<TResult>(Func<IRelayWriteTransaction, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken);

    /// <summary>Log entries after a cursor, in sequence order, with the head and floor seen by the same read.</summary>
    Task<LogPage> ReadLogAsync(LogQuery query, CancellationToken cancellationToken);

    /// <summary>Every record of the collections, with the log head of the same read.</summary>
    Task<RecordSnapshot> ReadSnapshotAsync(IReadOnlyCollection<CollectionName> collections, CancellationToken cancellationToken);

    /// <summary>One record, or null when the relay never saw it.</summary>
    Task<StoredRecord?> GetRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken);

    /// <summary>Head, floor, length of the log and number of recorded outcomes.</summary>
    Task<LogInfo> GetLogInfoAsync(CancellationToken cancellationToken);

    /// <summary>Removes log entries up to <paramref name="upToSequence"/> (at most the head) and raises the floor. Returns the removed count.</summary>
    Task<long> CompactLogAsync(long upToSequence, CancellationToken cancellationToken);

    /// <summary>Registers a device.</summary>
    Task AddDeviceAsync(DeviceRegistration device, CancellationToken cancellationToken);

    /// <summary>The device whose token hashes to <paramref name="tokenHash"/>, if it exists and is not revoked.</summary>
    Task<DeviceRegistration?> FindDeviceAsync(byte[] tokenHash, CancellationToken cancellationToken);

    /// <summary>Revokes every token of the device. False when there was none to revoke.</summary>
    Task<bool> RevokeDeviceAsync(ReplicaId replica, CancellationToken cancellationToken);

    /// <summary>The roles granted to <paramref name="user"/>.</summary>
    Task<IReadOnlySet<string>> GetRolesAsync(string user, CancellationToken cancellationToken);

    /// <summary>Grants (or revokes) a role. False when nothing changed.</summary>
    Task<bool> SetRoleAsync(string user, string role, bool granted, CancellationToken cancellationToken);

    /// <summary>Every role grant, ordered by user then role.</summary>
    Task<IReadOnlyList<RoleGrant>> ListRoleGrantsAsync(CancellationToken cancellationToken);

    /// <summary>Every registered device (revoked ones too) with its saved activity, ordered by user then replica id.</summary>
    Task<IReadOnlyList<DeviceOverview>> ListDevicesAsync(CancellationToken cancellationToken);

    /// <summary>Merges device activity into what is saved (see <see cref="DeviceActivity"/>: the later handshake, the later cursor).</summary>
    Task SaveDeviceActivityAsync(IReadOnlyCollection<DeviceActivity> activity, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="tallies"/> to the saved counts of their minute and kind, and forgets minutes before <paramref name="forgetBefore"/>.</summary>
    Task AddOutcomeTalliesAsync(IReadOnlyCollection<OutcomeTally> tallies, DateTimeOffset forgetBefore, CancellationToken cancellationToken);

    /// <summary>The saved counts of the minutes starting at or after <paramref name="since"/>, ordered by minute then kind.</summary>
    Task<IReadOnlyList<OutcomeTally>> ReadOutcomeTalliesAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
