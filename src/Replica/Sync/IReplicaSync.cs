using CrdtSync.Crdt.Clocks;
using CrdtSync.Replica.Cache;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// The side of a replica that a sync client (the relay client, a peer, the simulator) drives. Every method
/// is one SQLite transaction: all of it is visible after it returns, none of it when it throws.
/// </summary>
public interface IReplicaSync
{
    /// <summary>This replica's id: the origin of its changes.</summary>
    ReplicaId ReplicaId { get; }

    /// <summary>
    /// Sets the configuration (the relay's JSON), the user and their roles; kept in the database. The handshake calls it.
    /// </summary>
    Task ConfigureAsync(string configurationJson, string user, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default);

    /// <summary>Tells the replica whether it can reach its relay now (online-only actions need it).</summary>
    void SetConnected(bool connected);

    /// <summary>
    /// The next changes to push, oldest first, at most <paramref name="countMax"/>: entries that are queued or
    /// in flight on records with no entry in error (a failed entry holds back the entries after it on the same
    /// record, never other records). They are marked in flight; pushing one twice is safe (the relay answers a
    /// re-push with its first outcome).
    /// </summary>
    Task<IReadOnlyList<PendingChange>> TakePushBatchAsync(int countMax, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the relay's outcomes. Accepted: merges the committed changes into the confirmed state and removes
    /// the entry. Refused: marks the entry with the error (the record is locked), keeps the relay's state for the
    /// user, and merges it into the confirmed state. An outcome for an entry no longer there still merges what
    /// the relay committed.
    /// </summary>
    Task RecordOutcomesAsync(IReadOnlyList<PushOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges a page of pulled changes and moves the subscription's cursor, atomically: a half-applied batch is
    /// never visible. Bytes that do not decode refuse the whole batch (<c>DecodeException</c>) and change nothing.
    /// A pulled change of this replica's own origin that is still in the outbox proves it was accepted: the entry is removed.
    /// </summary>
    Task ApplyPulledBatchAsync(PulledBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Purges the records the user may no longer read and marks every outbox entry on them forbidden; those entries
    /// stay (readable, exportable) until the user discards them.
    /// </summary>
    Task ApplyRevocationAsync(Revocation revocation, CancellationToken cancellationToken = default);

    /// <summary>The subscriptions with their cursors, to pull from.</summary>
    Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges a page pulled for several subscriptions (changes and whole record states) and moves their cursors,
    /// atomically. Bytes that do not decode refuse the whole page and change nothing.
    /// </summary>
    Task ApplyPulledPageAsync(PulledPage page, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a complete snapshot of some subscriptions in one transaction: merges the states, sets the cursors, marks
    /// them downloaded, and purges confirmed records of those collections the snapshot no longer holds (see <see cref="SnapshotBatch"/>).
    /// </summary>
    Task ApplySnapshotAsync(SnapshotBatch snapshot, CancellationToken cancellationToken = default);
}
