using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Versions;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// Decides pushed changes (DESIGN.md §3) and commits them: one write transaction per batch, one outcome per change
/// recorded by change id, accepted changes appended to the log, accepted action effects committed as the relay's own
/// upsert right after the action. Outcomes are returned only after the commit.
/// </summary>
internal sealed class PushAuthority(
    IRelayStore store,
    RelaySyncConfiguration configuration,
    RelayClock clock,
    TimeProvider time,
    ChangeFeed feed,
    RelayMetrics metrics,
    RelayFaultPoints faults,
    ILogger<PushAuthority> logger)
{
    public async Task<IReadOnlyList<PushResult>> PushAsync(DeviceIdentity device, Principal principal, IReadOnlyList<(Change Change, byte[] Bytes)> changes, CancellationToken cancellationToken)
    {
        foreach (var (change, _) in changes)
        {
            if (change.Id.Origin != device.Replica)
            {
                throw new RelayRequestException(RelayErrorKind.PermissionDenied,
                    $"Change {change.Id} has origin {change.Id.Origin}; this device may push only changes whose origin is its own replica id {device.Replica}.");
            }
        }

        metrics.Push();
        var rules = configuration.Rules;
        var appended = 0L;
        var results = await store.WriteAsync(async (transaction, ct) =>
        {
            // The work may run again when a store retries it (PostgreSQL: serialization failure, deadlock).
            appended = 0;
            var now = time.GetUtcNow();
            await transaction.PrepareAsync([.. changes.Select(c => c.Change)], ct).ConfigureAwait(false);

            // The relay's saved clock is loaded (and, with several instances, locked) only when the relay writes:
            // then its stamps stay above every stamp any instance accepted before, and its origin sequence is unique.
            var clockLoaded = false;
            var originSequence = 0L;
            async ValueTask LoadClockAsync()
            {
                if (!clockLoaded)
                {
                    var saved = await transaction.LoadClockAsync(ct).ConfigureAwait(false);
                    originSequence = saved.OriginSequence;
                    clock.ObserveSaved(saved.LastTime);
                    clockLoaded = true;
                }
            }

            var list = new List<PushResult>(changes.Count);
            foreach (var (change, bytes) in changes)
            {
                var known = await transaction.FindOutcomeAsync(change.Id, ct).ConfigureAwait(false);
                if (known is not null)
                {
                    list.Add(await RepeatAsync(transaction, principal, known, ct).ConfigureAwait(false));
                    continue;
                }

                var record = await transaction.LoadRecordAsync(change.Collection, change.RecordId, ct).ConfigureAwait(false);
                var decision = ChangeRules.Decide(rules, principal, record.State, change, now);
                if (!decision.IsAccepted)
                {
                    var refused = new StoredOutcome(change.Id, change.Collection, change.RecordId, decision.Outcome, decision.Reason, decision.Message, decision.Field?.Text, 0, 0);
                    await transaction.SaveOutcomeAsync(refused, ct).ConfigureAwait(false);
                    list.Add(new PushResult(refused, [], Readable(principal, record), false));
                    continue;
                }

                var baseVersion = record.State.Version;
                var lastLive = change.Kind == ChangeKind.Delete && record.State.Exists ? record.State.Clone() : record.LastLive;
                var state = record.State;
                state.Apply(change);
                clock.Observe(change.Stamp);
                var sequence = await transaction.AppendLogAsync(change, bytes, ct).ConfigureAwait(false);
                var committed = new List<byte[]> { bytes };
                var effectSequence = 0L;
                if (change.Kind == ChangeKind.Action && decision.Effects.Count > 0)
                {
                    await LoadClockAsync().ConfigureAwait(false);
                    var effect = Change.Upsert(new ChangeId(clock.ReplicaId, ++originSequence), clock.Next(), change.Collection, change.RecordId, baseVersion, decision.Effects);
                    var effectBytes = ChangeCodec.Encode(effect);
                    state.Apply(effect);
                    effectSequence = await transaction.AppendLogAsync(effect, effectBytes, ct).ConfigureAwait(false);
                    committed.Add(effectBytes);
                }

                await transaction.SaveRecordAsync(new StoredRecord(state, lastLive), ct).ConfigureAwait(false);
                var accepted = new StoredOutcome(change.Id, change.Collection, change.RecordId, OutcomeKind.Accepted, decision.Reason, decision.Message, null, sequence, effectSequence);
                await transaction.SaveOutcomeAsync(accepted, ct).ConfigureAwait(false);
                appended += committed.Count;
                list.Add(new PushResult(accepted, committed, null, false));
            }

            if (appended > 0)
            {
                await LoadClockAsync().ConfigureAwait(false);
                await transaction.SaveClockAsync(new RelayClockState(clock.LastTime, originSequence), ct).ConfigureAwait(false);
            }

            faults.Hit(RelayFaultPoint.PushBeforeCommit);
            return list;
        }, cancellationToken).ConfigureAwait(false);
        faults.Hit(RelayFaultPoint.PushAfterCommit);

        if (appended > 0)
        {
            metrics.LogAppended(appended);
            feed.PublishCommit();
        }

        foreach (var result in results)
        {
            metrics.Outcome(result.Outcome.Kind, result.Repeated);
        }

        logger.LogInformation("Push from {Device} ({User}): {Count} changes, {Accepted} accepted, {Repeated} repeated",
            device.Replica, device.User, results.Count, results.Count(r => r.Outcome.Kind == OutcomeKind.Accepted), results.Count(r => r.Repeated));
        return results;
    }

    private async Task<PushResult> RepeatAsync(IRelayWriteTransaction transaction, Principal principal, StoredOutcome known, CancellationToken cancellationToken)
    {
        if (known.Kind == OutcomeKind.Accepted)
        {
            var committed = new List<byte[]>();
            foreach (var sequence in new[] { known.LogSequence, known.EffectSequence }.Where(s => s > 0))
            {
                if (await transaction.ReadLogEntryAsync(sequence, cancellationToken).ConfigureAwait(false) is { } bytes)
                {
                    committed.Add(bytes);
                }
            }

            return new PushResult(known, committed, null, true);
        }

        var record = await transaction.LoadRecordAsync(known.Collection, known.RecordId, cancellationToken).ConfigureAwait(false);
        return new PushResult(known, [], Readable(principal, record), true);
    }

    private RecordState? Readable(Principal principal, StoredRecord record)
    {
        var visible = record.VisibleBy;
        return configuration.Rules.CanRead(principal, record.State.Collection, f => visible[f]) ? record.State : null;
    }
}
