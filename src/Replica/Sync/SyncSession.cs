using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Transport;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OutcomeKind = CrdtSync.Crdt.Schema.OutcomeKind;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// The sync logic of one replica with one relay, over <see cref="IRelayTransport"/> only (the gRPC transport or the
/// simulator's in-memory one): handshake (configuration, identity, clock skew, revocations), download (snapshot, then
/// pull pages to the head), push of the outbox in batches, the live tail. It never calls the transport while the replica
/// is in explicit offline mode (<see cref="OfflineModeException"/>). Steps are driven by <see cref="SyncClient"/>.
/// </summary>
internal sealed class SyncSession(ReplicaStore replica, IRelayTransport transport, SyncClientOptions options, SyncStatusTracker status, TimeProvider time, ILogger logger)
{
    private readonly SemaphoreSlim _pushGate = new(1, 1);
    private readonly HashSet<CollectionName> _needsSnapshot = [];
    private Dictionary<string, CollectionAccess>? _access;
    private HandshakeResponse? _handshake;
    private string[]? _rolesAfterSnapshot;

    /// <summary>The last handshake's answer, or null before one.</summary>
    public HandshakeResponse? LastHandshake => _handshake;

    /// <summary>Handshakes, configures the replica, checks the device identity and clock, and applies revocations.</summary>
    public async Task<HandshakeResponse> HandshakeAsync(CancellationToken cancellationToken)
    {
        EnsureNotOffline();
        var response = await transport.HandshakeAsync(
            new HandshakeRequest { ClientTimeUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ClientAgent = options.ClientAgent }, cancellationToken).ConfigureAwait(false);
        Contact();
        var device = ReplicaId.FromBytes(response.DeviceReplicaId.Span);
        if (device != replica.ReplicaId)
        {
            throw new ReplicaIdentityMismatchException(replica.ReplicaId, device);
        }

        // Before the new roles overwrite them: what the replica was last told it may read, so an app restarted since then
        // still notices access that changed meanwhile (a filter added or removed while it was closed).
        _access ??= StoredAccess();
        var storedRoles = replica.Principal is { } stored && stored.User == response.User ? stored.Roles.Order(StringComparer.Ordinal).ToArray() : null;
        await replica.ConfigureAsync(response.ConfigurationJson, response.User, [.. response.Roles], cancellationToken).ConfigureAwait(false);
        await ApplyAccessAsync(response.Access, cancellationToken).ConfigureAwait(false);
        await SubscribeConfiguredAsync(response.Access, cancellationToken).ConfigureAwait(false);
        var subscribed = (await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Collection).ToHashSet();
        _needsSnapshot.IntersectWith(subscribed);
        _rolesAfterSnapshot = null;
        if (_needsSnapshot.Count > 0 && storedRoles is not null)
        {
            // A download is owed (a filter added or lifted): the replica keeps the roles it stored until the snapshot is
            // applied, so an app that dies before then still sees the change at its next start and downloads again.
            _rolesAfterSnapshot = [.. response.Roles];
            await replica.ConfigureAsync(response.ConfigurationJson, response.User, storedRoles, cancellationToken).ConfigureAwait(false);
        }

        var skew = TimeSpan.FromMilliseconds(response.ClockSkewMs);
        var tooFarAhead = response.ClockSkewMaxMs > 0 && response.ClockSkewMs > response.ClockSkewMaxMs;
        status.Update(s => s with { ClockSkew = skew, IsClockSkewTooLarge = tooFarAhead });
        if (tooFarAhead)
        {
            logger.LogWarning("The device clock is {Skew} ahead of the relay (at most {Max} allowed): changes will be refused until it is fixed", skew, TimeSpan.FromMilliseconds(response.ClockSkewMaxMs));
        }
        else
        {
            await RestampClockSkewEntriesAsync(cancellationToken).ConfigureAwait(false);
        }

        _handshake = response;
        return response;
    }

    /// <summary>Brings every subscription to the relay's head: a snapshot where needed, then pull pages. Returns what was received.</summary>
    public async Task<long> DownloadAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            status.Update(s => s with { CaughtUp = true });
            return 0;
        }

        var received = 0L;
        var fresh = subscriptions.Where(s => (s.Cursor == 0 && s.DownloadedAt is null) || _needsSnapshot.Contains(s.Collection)).ToList();
        if (fresh.Count > 0)
        {
            received += await SnapshotAsync(fresh, cancellationToken).ConfigureAwait(false);
        }

        return received + await PullToHeadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pulls pages for every subscription from the lowest cursor until the relay says caught up.</summary>
    public async Task<long> PullToHeadAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            return 0;
        }

        var cursor = subscriptions.Min(s => s.Cursor);
        var received = 0L;
        while (true)
        {
            EnsureNotOffline();
            var request = new PullRequest { Cursor = cursor, PageSize = options.PullPageSize };
            request.Subscriptions.AddRange(subscriptions.Select(ToWire));
            var page = await transport.PullAsync(request, cancellationToken).ConfigureAwait(false);
            Contact();
            if (page.ResyncRequired)
            {
                logger.LogWarning("The relay no longer holds the log after cursor {Cursor}: downloading a snapshot", cursor);
                received += await SnapshotAsync(subscriptions, cancellationToken).ConfigureAwait(false);
                subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
                cursor = subscriptions.Count == 0 ? 0 : subscriptions.Min(s => s.Cursor);
                continue;
            }

            received += await ApplyPageAsync(subscriptions, page, SyncPhase.Pull, received, cancellationToken).ConfigureAwait(false);
            cursor = page.NextCursor;
            if (page.CaughtUp)
            {
                return received;
            }
        }
    }

    /// <summary>Pushes the outbox until nothing is left to send; one push at a time per session.</summary>
    public async Task<(int Pushed, int Accepted, int Refused)> PushAllAsync(CancellationToken cancellationToken)
    {
        await _pushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (pushed, accepted, refused) = (0, 0, 0);
            var countMax = Math.Max(1, _handshake?.Limits?.BatchCountMax ?? 100);
            var bytesMax = Math.Max(64 * 1024, (_handshake?.Limits?.MessageBytesMax ?? 4 * 1024 * 1024) * 3 / 4);
            long[]? previous = null;
            while (true)
            {
                EnsureNotOffline();
                var batch = await replica.TakePushBatchAsync(countMax, cancellationToken).ConfigureAwait(false);
                var ids = batch.Select(p => p.EntryId).ToArray();
                if (batch.Count == 0 || (previous is not null && ids.SequenceEqual(previous)))
                {
                    // Nothing left; or the relay's answers left the same entries in flight (never expected): stop rather than spin.
                    break;
                }

                previous = ids;
                foreach (var chunk in SplitByBytes(batch, bytesMax))
                {
                    EnsureNotOffline();
                    var request = new PushRequest();
                    request.Changes.AddRange(chunk.Select(p => ByteString.CopyFrom(p.ChangeBytes.Span)));
                    var response = await transport.PushAsync(request, cancellationToken).ConfigureAwait(false);
                    Contact();
                    var outcomes = new List<PushOutcome>(response.Outcomes.Count);
                    for (var i = 0; i < response.Outcomes.Count; i++)
                    {
                        var outcome = response.Outcomes[i];
                        var explained = outcome.Kind == Protocol.V1.OutcomeKind.Conflict && i < chunk.Count ? Explain(chunk[i], outcome) : null;
                        outcomes.Add(OutcomeMapping.FromWire(outcome, explained));
                    }

                    await replica.RecordOutcomesAsync(outcomes, cancellationToken).ConfigureAwait(false);
                    pushed += chunk.Count;
                    accepted += outcomes.Count(o => o.Outcome == OutcomeKind.Accepted);
                    refused += outcomes.Count(o => o.Outcome != OutcomeKind.Accepted);
                    status.Report(new SyncProgress(SyncPhase.Push, [], 0, pushed, status.Current.Cursor, _handshake?.LogHead ?? 0));
                }
            }

            if (pushed > 0)
            {
                logger.LogDebug("Pushed {Pushed} changes: {Accepted} accepted, {Refused} refused", pushed, accepted, refused);
            }

            return (pushed, accepted, refused);
        }
        finally
        {
            _pushGate.Release();
        }
    }

    /// <summary>
    /// Follows the live tail from the lowest subscription cursor until the stream ends, its deadline passes (both: return
    /// to subscribe again), access changes (re-handshake, then return so the caller restarts with the new grants) or the
    /// relay says resync (snapshot, then return).
    /// </summary>
    public async Task RunLiveAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        if (subscriptions.Count == 0)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
            return;
        }

        EnsureNotOffline();
        var request = new SubscribeRequest { Cursor = subscriptions.Min(s => s.Cursor) };
        request.Subscriptions.AddRange(subscriptions.Select(ToWire));
        var received = 0L;
        try
        {
            await foreach (var message in transport.SubscribeAsync(request, cancellationToken).ConfigureAwait(false))
            {
                EnsureNotOffline();
                Contact();
                switch (message.EventCase)
                {
                    case SubscribeEvent.EventOneofCase.Page when message.Page.ResyncRequired:
                        await SnapshotAsync(subscriptions, cancellationToken).ConfigureAwait(false);
                        return;
                    case SubscribeEvent.EventOneofCase.Page:
                        received += await ApplyPageAsync(subscriptions, message.Page, SyncPhase.Live, received, cancellationToken).ConfigureAwait(false);
                        break;
                    case SubscribeEvent.EventOneofCase.CaughtUp:
                        status.Update(s => s with { CaughtUp = true });
                        break;
                    case SubscribeEvent.EventOneofCase.AccessChanged:
                        logger.LogInformation("The relay says this user's access changed: handshaking again");
                        await HandshakeAsync(cancellationToken).ConfigureAwait(false);
                        await DownloadAsync(cancellationToken).ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (RelayTransportException error) when (error.Kind == RelayTransportErrorKind.DeadlineExceeded && !cancellationToken.IsCancellationRequested)
        {
            // The stream's own deadline: subscribe again from the cursor.
        }
    }

    private async Task<long> SnapshotAsync(IReadOnlyList<Cache.Subscription> subscriptions, CancellationToken cancellationToken)
    {
        EnsureNotOffline();
        var request = new SnapshotRequest();
        request.Subscriptions.AddRange(subscriptions.Select(ToWire));
        var names = subscriptions.Select(s => s.Collection.Text).ToArray();
        var states = new List<ReadOnlyMemory<byte>>();
        long? cursor = null;
        await foreach (var page in transport.SnapshotAsync(request, cancellationToken).ConfigureAwait(false))
        {
            EnsureNotOffline();
            Contact();
            states.AddRange(page.Records.Select(r => r.Memory));
            status.Report(new SyncProgress(SyncPhase.Snapshot, names, states.Count, 0, page.Last ? page.Cursor : 0, _handshake?.LogHead ?? 0));
            if (page.Last)
            {
                cursor = page.Cursor;
                break;
            }
        }

        if (cursor is not { } at)
        {
            throw new RelayTransportException(RelayTransportErrorKind.Unavailable, "The snapshot stream ended before its last page.");
        }

        await replica.ApplySnapshotAsync(new SnapshotBatch([.. subscriptions.Select(s => s.Collection)], states, at), cancellationToken).ConfigureAwait(false);
        foreach (var subscription in subscriptions)
        {
            _needsSnapshot.Remove(subscription.Collection);
        }

        if (_needsSnapshot.Count == 0 && _rolesAfterSnapshot is { } roles && _handshake is { } handshake)
        {
            await replica.ConfigureAsync(handshake.ConfigurationJson, handshake.User, roles, cancellationToken).ConfigureAwait(false);
            _rolesAfterSnapshot = null;
        }

        await UpdateCursorAsync(cancellationToken).ConfigureAwait(false);
        return states.Count;
    }

    private async Task<long> ApplyPageAsync(IReadOnlyList<Cache.Subscription> subscriptions, PullResponse page, SyncPhase phase, long receivedBefore, CancellationToken cancellationToken)
    {
        var changes = new List<ReadOnlyMemory<byte>>(page.Entries.Count);
        var states = new List<ReadOnlyMemory<byte>>();
        foreach (var entry in page.Entries)
        {
            if (entry.PayloadCase == LogEntry.PayloadOneofCase.RecordState)
            {
                states.Add(entry.RecordState.Memory);
            }
            else if (entry.PayloadCase == LogEntry.PayloadOneofCase.Change)
            {
                changes.Add(entry.Change.Memory);
            }
        }

        await replica.ApplyPulledPageAsync(new PulledPage([.. subscriptions.Select(s => s.Collection)], changes, states, page.NextCursor, page.CaughtUp), cancellationToken).ConfigureAwait(false);
        status.Update(s => s with { Cursor = Math.Max(s.Cursor, page.NextCursor), CaughtUp = page.CaughtUp });
        status.Report(new SyncProgress(phase, [.. subscriptions.Select(s => s.Collection.Text)], receivedBefore + page.Entries.Count, 0, page.NextCursor, Math.Max(_handshake?.LogHead ?? 0, page.NextCursor)));
        return page.Entries.Count;
    }

    /// <summary>
    /// Purges what the user may no longer read: whole collections no longer readable. A collection whose reading changed
    /// between "through a filter" and "whole" is downloaded again by snapshot: narrowed, the snapshot purges the records
    /// outside the filter; widened, it brings the records the filter hid, which no later log entry would ever send.
    /// </summary>
    private async Task ApplyAccessAsync(IEnumerable<CollectionAccess> access, CancellationToken cancellationToken)
    {
        var now = access.Where(a => a.Read).ToDictionary(a => a.Collection, StringComparer.Ordinal);
        var configuration = replica.Configuration!;
        var subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var collection in configuration.Collections.Keys)
        {
            if (!now.TryGetValue(collection.Text, out var readable))
            {
                if (_access is null || _access.ContainsKey(collection.Text) || subscriptions.Any(s => s.Collection == collection))
                {
                    await replica.ApplyRevocationAsync(new Revocation(collection), cancellationToken).ConfigureAwait(false);
                }
            }
            else if (_access is not null && (_access.TryGetValue(collection.Text, out var before) ? before.Filtered != readable.Filtered : readable.Filtered))
            {
                _needsSnapshot.Add(collection);
            }
        }

        _access = now;
    }

    /// <summary>The read access the replica's stored configuration and roles give (null before the first configuration).</summary>
    private Dictionary<string, CollectionAccess>? StoredAccess()
    {
        if (replica.Configuration is not { } configuration || replica.Principal is not { } principal)
        {
            return null;
        }

        var access = new Dictionary<string, CollectionAccess>(StringComparer.Ordinal);
        foreach (var collection in configuration.Collections.Keys)
        {
            var reads = configuration.GrantsFor(principal, collection).Where(g => g.Read).ToList();
            if (reads.Count > 0)
            {
                access[collection.Text] = new CollectionAccess { Collection = collection.Text, Read = true, Filtered = reads.All(g => g.FilterField is not null) };
            }
        }

        return access;
    }

    private async Task SubscribeConfiguredAsync(IEnumerable<CollectionAccess> access, CancellationToken cancellationToken)
    {
        if (options.Collections.Count == 0)
        {
            return;
        }

        var readable = access.Where(a => a.Read).Select(a => a.Collection).ToHashSet(StringComparer.Ordinal);
        var subscribed = (await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Collection.Text).ToHashSet(StringComparer.Ordinal);
        foreach (var collection in options.Collections.Where(c => readable.Contains(c) && !subscribed.Contains(c)))
        {
            await replica.SubscribeAsync(collection, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RestampClockSkewEntriesAsync(CancellationToken cancellationToken)
    {
        foreach (var entryId in await replica.GetClockSkewEntryIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await replica.RetryAsync(entryId, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Outbox entry {EntryId}, refused for clock skew, was stamped again now that the clock is sane", entryId);
            }
            catch (ReplicaException error)
            {
                logger.LogWarning("Outbox entry {EntryId}, refused for clock skew, cannot be retried: {Reason}", entryId, error.Message);
            }
        }
    }

    private async Task UpdateCursorAsync(CancellationToken cancellationToken)
    {
        var subscriptions = await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        var cursor = subscriptions.Count == 0 ? 0 : subscriptions.Min(s => s.Cursor);
        status.Update(s => s with { Cursor = cursor });
    }

    private string? Explain(PendingChange pending, ChangeOutcome outcome)
    {
        if (replica.Configuration is not { } configuration || outcome.Reason != "guard_failed")
        {
            return null;
        }

        try
        {
            var change = ChangeCodec.Decode(pending.ChangeBytes);
            var current = outcome.HasCurrentState ? RecordStateCodec.Decode(outcome.CurrentState.Memory) : null;
            return ConflictExplanation.Explain(configuration, change, outcome.Reason, outcome.Field, current, outcome.Message);
        }
        catch (Crdt.Errors.CrdtException)
        {
            return null;
        }
    }

    private void Contact() => status.Update(s => s with { LastContact = time.GetUtcNow(), LastError = null, NextAttemptIn = null });

    private void EnsureNotOffline()
    {
        if (replica.IsInOfflineMode)
        {
            throw new OfflineModeException();
        }
    }

    private static IEnumerable<List<PendingChange>> SplitByBytes(IReadOnlyList<PendingChange> batch, int bytesMax)
    {
        var chunk = new List<PendingChange>();
        var size = 0;
        foreach (var pending in batch)
        {
            var length = pending.ChangeBytes.Length + 8;
            if (chunk.Count > 0 && size + length > bytesMax)
            {
                yield return chunk;
                chunk = [];
                size = 0;
            }

            chunk.Add(pending);
            size += length;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private static Protocol.V1.Subscription ToWire(Cache.Subscription subscription) => new()
    {
        Collection = subscription.Collection.Text,
        FilterField = subscription.FilterField?.Text ?? string.Empty,
        FilterEquals = subscription.FilterValue ?? string.Empty,
    };
}
