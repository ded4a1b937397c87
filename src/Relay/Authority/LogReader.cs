using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// Serves the log to a caller within its grants: pages after a cursor, and snapshots of current record states.
/// Nothing outside the grants is sent: not a value, not an id, not a tombstone. For a collection read through a
/// record filter (grant or subscription), an entry carries the record's current state instead of the change, so a
/// record entering the filter arrives whole.
/// </summary>
internal sealed class LogReader(IRelayStore store, RelaySyncConfiguration configuration)
{
    public int PageSizeFor(int requested)
    {
        var max = Math.Max(1, configuration.Rules.Limits.PullPageCountMax);
        return requested <= 0 ? max : Math.Min(requested, max);
    }

    public IReadOnlyDictionary<CollectionName, CollectionView> Views(Principal principal, IReadOnlyList<SubscriptionSpec> subscriptions, bool strict) =>
        CollectionViews.Resolve(configuration.Rules, principal, subscriptions, strict);

    public async Task<PullResult> PullAsync(IReadOnlyDictionary<CollectionName, CollectionView> views, long cursor, int pageSize, CancellationToken cancellationToken)
    {
        if (cursor < 0)
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "A cursor is never negative.");
        }

        var limit = PageSizeFor(pageSize);
        var page = await store.ReadLogAsync(new LogQuery(cursor, limit, [.. views.Keys], views.Values.Any(v => v.Filtered)), cancellationToken).ConfigureAwait(false);
        if (cursor < page.Floor || cursor > page.Head)
        {
            return new PullResult([], cursor, false, true);
        }

        var entries = new List<PulledEntry>(page.Rows.Count);
        var stateIndex = new Dictionary<(CollectionName, RecordId), int>();
        foreach (var row in page.Rows)
        {
            var view = views[row.Collection];
            if (!view.Filtered)
            {
                entries.Add(new PulledEntry(row.Sequence, row.Change, null));
                continue;
            }

            if (row.Record is not { } record || !view.CanSee(record))
            {
                continue;
            }

            // One state per record per page, at its last entry: the state already holds every earlier change.
            if (stateIndex.Remove((row.Collection, row.RecordId), out var earlier))
            {
                entries[earlier] = null!;
            }

            stateIndex[(row.Collection, row.RecordId)] = entries.Count;
            entries.Add(new PulledEntry(row.Sequence, null, RecordStateCodec.Encode(record.State)));
        }

        entries.RemoveAll(e => e is null);
        var caughtUp = page.Rows.Count < limit || page.Rows[^1].Sequence == page.Head;
        var next = page.Rows.Count < limit ? page.Head : page.Rows[^1].Sequence;
        return new PullResult(entries, next, caughtUp, false);
    }

    public async Task<SnapshotResult> SnapshotAsync(IReadOnlyDictionary<CollectionName, CollectionView> views, CancellationToken cancellationToken)
    {
        var snapshot = await store.ReadSnapshotAsync([.. views.Keys], cancellationToken).ConfigureAwait(false);
        var records = snapshot.Records
            .Where(r => views[r.State.Collection].CanSee(r))
            .Select(r => RecordStateCodec.Encode(r.State))
            .ToList();
        return new SnapshotResult(records, snapshot.Head);
    }
}
