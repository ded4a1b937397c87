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
/// upsert right after the action, and a refused upsert answered by the relay's compensating upsert
/// (<see cref="RefusalCompensation"/>) in the same transaction. Outcomes are returned only after the commit.
/// </summary>
/// <remarks>
/// Each change is decided in push order against the records as the earlier changes of the push left them
/// (<see cref="PushBatch"/>); nothing is written until the whole push is decided, then the records, the log entries
/// (one append, consecutive sequences) and the outcomes are written in a few calls. On PostgreSQL that keeps the
/// state row lock, which serializes appends across instances, to the writes and the commit.
/// </remarks>
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
        var compensations = 0;
        var results = await store.WriteAsync(async (transaction, ct) =>
        {
            // The work may run again when a store retries it (PostgreSQL: serialization failure, deadlock).
            appended = 0;
            compensations = 0;
            var now = time.GetUtcNow();
            await transaction.PrepareAsync([.. changes.Select(c => c.Change)], ct).ConfigureAwait(false);

            // The relay's saved clock is loaded (and, with several instances, locked) only when the relay stamps an
            // effect: then its stamps stay above every stamp any instance accepted before, and its origin sequence is unique.
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

            // Decide the whole push first (reads only), then write it: records, log entries in one append, outcomes.
            var batch = new PushBatch();
            foreach (var (change, bytes) in changes)
            {
                if (batch.TryGetDecided(change.Id, out var position))
                {
                    var current = await batch.LoadRecordAsync(transaction, change.Collection, change.RecordId, ct).ConfigureAwait(false);
                    batch.RepeatedHere(position, Readable(principal, current));
                    continue;
                }

                var known = await transaction.FindOutcomeAsync(change.Id, ct).ConfigureAwait(false);
                if (known is not null)
                {
                    batch.RepeatedEarlier(await RepeatAsync(transaction, batch, principal, known, ct).ConfigureAwait(false));
                    continue;
                }

                var record = await batch.LoadRecordAsync(transaction, change.Collection, change.RecordId, ct).ConfigureAwait(false);
                var decision = ChangeRules.Decide(rules, principal, record.State, change, now);
                if (!decision.IsAccepted)
                {
                    var compensationPosition = -1;
                    if (RefusalCompensation.IsNeeded(change, decision.Outcome, record.State))
                    {
                        await LoadClockAsync().ConfigureAwait(false);
                        if (clock.Observe(change.Stamp))
                        {
                            // Same transaction as the refusal: a re-push finds the outcome and adds no second compensation.
                            var compensation = RefusalCompensation.Make(change, record.State, new ChangeId(clock.ReplicaId, ++originSequence), clock.Next());
                            record.State.Apply(compensation);
                            batch.SaveRecord(record);
                            compensationPosition = batch.Append(new LogAppend(change.Collection, change.RecordId, ChangeCodec.Encode(compensation)));
                            compensations++;
                        }
                    }

                    var refused = new StoredOutcome(change.Id, change.Collection, change.RecordId, decision.Outcome, decision.Reason, decision.Message, decision.Field?.Text, 0, 0);
                    batch.Decided(refused, -1, compensationPosition, Readable(principal, record));
                    continue;
                }

                var baseVersion = record.State.Version;
                var lastLive = change.Kind == ChangeKind.Delete && record.State.Exists ? record.State.Clone() : record.LastLive;
                var state = record.State;
                state.Apply(change);
                clock.Observe(change.Stamp);
                var logPosition = batch.Append(new LogAppend(change.Collection, change.RecordId, bytes));
                var effectPosition = -1;
                if (change.Kind == ChangeKind.Action && decision.Effects.Count > 0)
                {
                    await LoadClockAsync().ConfigureAwait(false);
                    var effect = Change.Upsert(new ChangeId(clock.ReplicaId, ++originSequence), clock.Next(), change.Collection, change.RecordId, baseVersion, decision.Effects);
                    state.Apply(effect);
                    effectPosition = batch.Append(new LogAppend(change.Collection, change.RecordId, ChangeCodec.Encode(effect)));
                }

                batch.SaveRecord(new StoredRecord(state, lastLive));
                batch.Decided(new StoredOutcome(change.Id, change.Collection, change.RecordId, OutcomeKind.Accepted, decision.Reason, decision.Message, null, 0, 0), logPosition, effectPosition, null);
            }

            var list = await batch.WriteAsync(transaction, ct).ConfigureAwait(false);
            appended = batch.AppendedCount;
            if (appended > 0)
            {
                // Raises the saved clock (and origin sequence, when loaded) to what this push used; never lowers them.
                await transaction.SaveClockAsync(new RelayClockState(clock.LastTime, originSequence), ct).ConfigureAwait(false);
            }

            faults.Hit(RelayFaultPoint.PushBeforeCommit);
            return list;
        }, cancellationToken).ConfigureAwait(false);
        faults.Hit(RelayFaultPoint.PushAfterCommit);

        if (appended > 0)
        {
            metrics.LogAppended(appended);
            metrics.Compensations(compensations);
            feed.PublishCommit();
        }

        foreach (var result in results)
        {
            metrics.Outcome(result.Outcome.Kind, result.Repeated);
        }

        logger.LogInformation("Push from {Device} ({User}): {Count} changes, {Accepted} accepted, {Repeated} repeated, {Compensations} compensations",
            device.Replica, device.User, results.Count, results.Count(r => r.Outcome.Kind == OutcomeKind.Accepted), results.Count(r => r.Repeated), compensations);
        return results;
    }

    private async Task<PushResult> RepeatAsync(IRelayWriteTransaction transaction, PushBatch batch, Principal principal, StoredOutcome known, CancellationToken cancellationToken)
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

        var record = await batch.LoadRecordAsync(transaction, known.Collection, known.RecordId, cancellationToken).ConfigureAwait(false);
        return new PushResult(known, [], Readable(principal, record), true);
    }

    /// <summary>
    /// The record as it is now, for a refusal's answer, when the caller may read it. A copy: later changes of the same
    /// push mutate the record, and what is sent must be exactly the state whose readability was checked.
    /// </summary>
    private RecordState? Readable(Principal principal, StoredRecord record)
    {
        var visible = record.VisibleBy;
        return configuration.Rules.CanRead(principal, record.State.Collection, f => visible[f]) ? record.State.Clone() : null;
    }
}
