using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;
using Google.Protobuf;
using CoreOutcomeKind = CrdtSync.Crdt.Schema.OutcomeKind;
using WireSubscription = CrdtSync.Protocol.V1.Subscription;

namespace CrdtSync.Testing.Sync;

/// <summary>
/// A small sync client built only on <see cref="IReplicaSync"/> and <see cref="IRelayTransport"/>: handshake (configure
/// the replica, withdraw subscriptions it may no longer read), push batches until nothing is left to send, then pull each
/// readable subscription page by page to the head. It reads collections only unfiltered (a record-filtered grant counts
/// as no read access here) and does not handle <c>resync_required</c> (the simulator never compacts the log).
/// </summary>
public class BasicSyncDriver : IReplicaSyncDriver
{
    /// <inheritdoc />
    public async Task SyncAsync(IReplicaSync replica, IRelayTransport transport, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(time);
        try
        {
            await RoundAsync(replica, transport, time, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayTransportException)
        {
            replica.SetConnected(false);
            throw;
        }
    }

    /// <summary>Lets a derived driver alter a pulled page before the replica applies it (canaries).</summary>
    protected virtual IReadOnlyList<ReadOnlyMemory<byte>> FilterPulled(ReplicaId self, IReadOnlyList<ReadOnlyMemory<byte>> changes) => changes;

    private async Task RoundAsync(IReplicaSync replica, IRelayTransport transport, TimeProvider time, CancellationToken cancellationToken)
    {
        var handshake = await transport.HandshakeAsync(
            new HandshakeRequest { ClientTimeUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(), ClientAgent = "crdtsync-simulator" }, cancellationToken).ConfigureAwait(false);
        await replica.ConfigureAsync(handshake.ConfigurationJson, handshake.User, [.. handshake.Roles], cancellationToken).ConfigureAwait(false);
        replica.SetConnected(true);

        var readable = handshake.Access.Where(a => a.Read && !a.Filtered).Select(a => a.Collection).ToHashSet(StringComparer.Ordinal);
        foreach (var subscription in await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!readable.Contains(subscription.Collection.Text))
            {
                await replica.ApplyRevocationAsync(new Revocation(subscription.Collection), cancellationToken).ConfigureAwait(false);
            }
        }

        var batchMax = handshake.Limits?.BatchCountMax is > 0 and var max ? max : 100;
        while (true)
        {
            var batch = await replica.TakePushBatchAsync(batchMax, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            var request = new PushRequest();
            request.Changes.AddRange(batch.Select(p => ByteString.CopyFrom(p.ChangeBytes.Span)));
            var response = await transport.PushAsync(request, cancellationToken).ConfigureAwait(false);
            await replica.RecordOutcomesAsync([.. response.Outcomes.Select(ToOutcome)], cancellationToken).ConfigureAwait(false);
        }

        foreach (var subscription in await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var cursor = subscription.Cursor;
            while (true)
            {
                var pull = new PullRequest { Cursor = cursor };
                pull.Subscriptions.Add(new WireSubscription { Collection = subscription.Collection.Text });
                var page = await transport.PullAsync(pull, cancellationToken).ConfigureAwait(false);
                if (page.ResyncRequired)
                {
                    throw new NotSupportedException($"The relay asks for a resync of {subscription.Collection}; {nameof(BasicSyncDriver)} does not download snapshots.");
                }

                var changes = new List<ReadOnlyMemory<byte>>(page.Entries.Count);
                foreach (var entry in page.Entries)
                {
                    if (entry.PayloadCase != LogEntry.PayloadOneofCase.Change)
                    {
                        throw new NotSupportedException($"{nameof(BasicSyncDriver)} reads collections unfiltered only; {subscription.Collection} sent a record state.");
                    }

                    changes.Add(entry.Change.Memory);
                }

                await replica.ApplyPulledBatchAsync(new PulledBatch(subscription.Collection, FilterPulled(replica.ReplicaId, changes), page.NextCursor, page.CaughtUp), cancellationToken).ConfigureAwait(false);
                cursor = page.NextCursor;
                if (page.CaughtUp)
                {
                    break;
                }
            }
        }
    }

    private static PushOutcome ToOutcome(ChangeOutcome outcome) => new(
        new ChangeId(ReplicaId.FromBytes(outcome.Origin.Span), outcome.Sequence),
        outcome.Kind switch
        {
            Protocol.V1.OutcomeKind.Accepted => CoreOutcomeKind.Accepted,
            Protocol.V1.OutcomeKind.Conflict => CoreOutcomeKind.Conflict,
            Protocol.V1.OutcomeKind.Invalid => CoreOutcomeKind.Invalid,
            Protocol.V1.OutcomeKind.Deleted => CoreOutcomeKind.Deleted,
            Protocol.V1.OutcomeKind.Forbidden => CoreOutcomeKind.Forbidden,
            _ => CoreOutcomeKind.ClockSkew,
        },
        outcome.Reason,
        outcome.Message,
        outcome.HasCurrentState ? outcome.CurrentState.Memory : null,
        outcome.Kind == Protocol.V1.OutcomeKind.Accepted ? outcome.LogSequence : null,
        [.. outcome.Committed.Select(c => c.Memory)]);
}
