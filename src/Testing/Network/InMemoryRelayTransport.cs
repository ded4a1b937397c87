using System.Runtime.CompilerServices;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Replica.Transport;
using CrdtSync.Testing.Checks;
using CrdtSync.Testing.Nodes;
using CrdtSync.Testing.Schedules;

namespace CrdtSync.Testing.Network;

/// <summary>
/// <see cref="IRelayTransport"/> for one simulated device: calls the relay's <see cref="Relay.Services.RelayEndpoint"/>
/// in-process, through the simulated network's faults (partition, dropped request or response, duplicate, delay).
/// Every answer the relay gives is checked (one outcome per change; nothing outside the caller's grants) before the
/// network may lose it.
/// </summary>
internal sealed class InMemoryRelayTransport(
    int link,
    DeviceIdentity device,
    SimulatedRelay relay,
    SimulatedNetwork network,
    OutcomeLedger ledger,
    Func<SimulatedReplica> replica,
    SimulationCounters counters) : IRelayTransport
{
    public Task<HandshakeResponse> HandshakeAsync(HandshakeRequest request, CancellationToken cancellationToken) =>
        CallAsync(() => relay.Endpoint.HandshakeAsync(device, request, cancellationToken), _ => { }, NetworkCall.Any);

    public Task<PushResponse> PushAsync(PushRequest request, CancellationToken cancellationToken) =>
        CallAsync(() => relay.Endpoint.PushAsync(device, request, cancellationToken), CheckPush, NetworkCall.Push);

    public Task<PullResponse> PullAsync(PullRequest request, CancellationToken cancellationToken) =>
        CallAsync(() => relay.Endpoint.PullAsync(device, request, cancellationToken), response => CheckPull(request, response), NetworkCall.Pull, applied: true);

    /// <summary>Catch-up pages and the caught-up marker, then the connection drops (the simulator has no live tail).</summary>
    public async IAsyncEnumerable<SubscribeEvent> SubscribeAsync(SubscribeRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cursor = request.Cursor;
        while (true)
        {
            var pull = new PullRequest { Cursor = cursor };
            pull.Subscriptions.AddRange(request.Subscriptions);
            var page = await PullAsync(pull, cancellationToken).ConfigureAwait(false);
            yield return new SubscribeEvent { Page = page };
            cursor = page.NextCursor;
            if (page.CaughtUp || page.ResyncRequired)
            {
                yield return new SubscribeEvent { CaughtUp = new CaughtUp { Cursor = cursor } };
                throw new RelayTransportException(RelayTransportErrorKind.Unavailable, "The simulated live stream ends after catch-up.");
            }
        }
    }

    public async IAsyncEnumerable<SnapshotPage> SnapshotAsync(SnapshotRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pages = await CallAsync(async () =>
        {
            var list = new List<SnapshotPage>();
            await foreach (var page in relay.Endpoint.SnapshotAsync(device, request, cancellationToken).ConfigureAwait(false))
            {
                list.Add(page);
            }

            return list;
        }, pages => CheckSnapshot(request, pages), NetworkCall.Any, applied: true).ConfigureAwait(false);
        foreach (var page in pages)
        {
            yield return page;
        }
    }

    /// <param name="call">The relay call.</param>
    /// <param name="check">Checks the relay's answer (before the network may lose it).</param>
    /// <param name="kind">Which armed faults apply.</param>
    /// <param name="applied">True for answers the replica applies (pull and snapshot pages): an armed crash while applying fires here.</param>
    private async Task<T> CallAsync<T>(Func<Task<T>> call, Action<T> check, NetworkCall kind, bool applied = false)
    {
        if (network.IsPartitioned(link))
        {
            counters.PartitionedCalls++;
            throw new RelayTransportException(RelayTransportErrorKind.Unavailable, $"link {link} is partitioned");
        }

        switch (network.TakeFault(link, kind))
        {
            case NetworkFault.DropRequest:
                counters.DroppedRequests++;
                throw new RelayTransportException(RelayTransportErrorKind.Unavailable, "the request was lost");
            case NetworkFault.Delay:
                network.Delayed.Add(async () =>
                {
                    counters.ReorderedDeliveries++;
                    await DeliverAsync(call, check).ConfigureAwait(false);
                });
                throw new RelayTransportException(RelayTransportErrorKind.DeadlineExceeded, "the request is delayed; the caller gave up");
            case NetworkFault.Duplicate:
                counters.DuplicateDeliveries++;
                await DeliverAsync(call, check).ConfigureAwait(false);
                return await DeliverAsync(call, check).ConfigureAwait(false);
            case NetworkFault.DropResponse:
                var lost = await DeliverAsync(call, check).ConfigureAwait(false);
                counters.DroppedResponses++;
                if (lost is PushResponse push && push.Outcomes.Any(o => o.Kind == Protocol.V1.OutcomeKind.Accepted && !o.RepeatedPush))
                {
                    counters.DroppedResponsesAfterCommit++;
                }

                throw new RelayTransportException(RelayTransportErrorKind.DeadlineExceeded, "the response was lost");
            default:
                var response = await DeliverAsync(call, check).ConfigureAwait(false);
                if (kind == NetworkCall.Push && replica().CrashAfterNextPush)
                {
                    counters.ReplicaCrashesMidPush++;
                    throw new SimulatedCrashException($"replica {link} crashed after the relay committed its push");
                }

                if (applied && replica().TakeCrashBeforePullApply())
                {
                    throw new SimulatedCrashException($"replica {link} crashed while applying what it pulled, before the commit");
                }

                return response;
        }
    }

    /// <summary>The request reaches the relay: its answer is checked, and a relay crash becomes a lost connection (the relay restarts).</summary>
    private async Task<T> DeliverAsync<T>(Func<Task<T>> call, Action<T> check)
    {
        T response;
        try
        {
            response = await call().ConfigureAwait(false);
        }
        catch (SimulatedCrashException)
        {
            await relay.CrashAndRestartAsync().ConfigureAwait(false);
            throw new RelayTransportException(RelayTransportErrorKind.Unavailable, "the relay crashed during the call");
        }
        catch (RelayRequestException refusal)
        {
            throw new RelayTransportException(refusal.Kind switch
            {
                RelayErrorKind.InvalidArgument => RelayTransportErrorKind.InvalidArgument,
                RelayErrorKind.PermissionDenied => RelayTransportErrorKind.PermissionDenied,
                RelayErrorKind.ResourceExhausted => RelayTransportErrorKind.ResourceExhausted,
                RelayErrorKind.Unauthenticated => RelayTransportErrorKind.Unauthenticated,
                _ => RelayTransportErrorKind.Other,
            }, refusal.Message, refusal);
        }

        check(response);
        return response;
    }

    private void CheckPush(PushResponse response)
    {
        if (relay.Sabotage == Sabotage.RelayForgetsOutcomes)
        {
            relay.ForgetOutcomes();
        }

        foreach (var outcome in response.Outcomes)
        {
            if (!outcome.RepeatedPush)
            {
                CountFirst(outcome);
            }

            ledger.Record(outcome, counters, () => relay.Endpoint.Store.GetLogInfoAsync(CancellationToken.None).GetAwaiter().GetResult().Floor);
            if (outcome.HasCurrentState)
            {
                RequireVisible(RecordStateCodec.Decode(outcome.CurrentState.Memory), "a refusal's current state");
            }
        }
    }

    private void CountFirst(ChangeOutcome outcome)
    {
        if (outcome.Kind == Protocol.V1.OutcomeKind.Accepted)
        {
            counters.AcceptedChanges++;
            return;
        }

        counters.RefusedChanges++;
        if (outcome.Kind == Protocol.V1.OutcomeKind.ClockSkew)
        {
            counters.ClockSkewRefusals++;
        }

        if (outcome.Kind == Protocol.V1.OutcomeKind.Conflict && outcome.Reason is "guard_failed" or "not_found" or "changed_since_base")
        {
            counters.RejectedActions++;
        }
    }

    private void CheckPull(PullRequest request, PullResponse response)
    {
        counters.PulledChanges += response.Entries.Count;
        if (response.ResyncRequired)
        {
            counters.ResyncsRequired++;
        }

        foreach (var entry in response.Entries)
        {
            if (entry.PayloadCase == LogEntry.PayloadOneofCase.Change)
            {
                var collection = ChangeCodec.Decode(entry.Change.Memory).Collection;
                RequireRequested(request.Subscriptions, collection);
                if (ReadGrants(collection).All(g => g.FilterField is not null))
                {
                    throw new InvariantViolationException("grants", $"a pulled change of {collection} reached {device.User}, who may read only some of its records (a change of a record outside the filter would leak).");
                }
            }
            else
            {
                counters.RecordStatesPulled++;
                var state = RecordStateCodec.Decode(entry.RecordState.Memory);
                RequireRequested(request.Subscriptions, state.Collection);
                RequireVisible(state, "a pulled record state");
            }
        }
    }

    private void CheckSnapshot(SnapshotRequest request, List<SnapshotPage> pages)
    {
        counters.Snapshots++;
        foreach (var bytes in pages.SelectMany(p => p.Records))
        {
            var state = RecordStateCodec.Decode(bytes.Memory);
            RequireRequested(request.Subscriptions, state.Collection);
            RequireVisible(state, "a snapshot's record");
        }
    }

    private static void RequireRequested(IEnumerable<Protocol.V1.Subscription> subscriptions, CollectionName collection)
    {
        if (subscriptions.All(s => s.Collection != collection.Text))
        {
            throw new InvariantViolationException("grants", $"a request for {string.Join(",", subscriptions.Select(s => s.Collection))} returned an entry of {collection}.");
        }
    }

    /// <summary>The user's read grants on <paramref name="collection"/> now; none is a violation.</summary>
    private List<CollectionGrant> ReadGrants(CollectionName collection)
    {
        var roles = relay.Endpoint.Store.GetRolesAsync(device.User, CancellationToken.None).GetAwaiter().GetResult();
        var grants = relay.Endpoint.Configuration.Rules.GrantsFor(new Principal(device.User, roles), collection).Where(g => g.Read).ToList();
        if (grants.Count == 0)
        {
            throw new InvariantViolationException("grants", $"data of {collection} reached {device.User}, whose roles ({string.Join(",", roles)}) do not let them read it.");
        }

        return grants;
    }

    /// <summary>
    /// The user may read this record state: an unfiltered read grant now, or a filtered one whose field holds the user's
    /// name in the state (the relay's last live values for a tombstone, as docs/configuration.md says). Checked here, not
    /// with the relay's own filter code, so a bug there shows.
    /// </summary>
    private void RequireVisible(RecordState sent, string what)
    {
        var grants = ReadGrants(sent.Collection);
        if (grants.Any(g => g.FilterField is null))
        {
            return;
        }

        // Judged by the sent state's own values: a refusal's current state may be older than the relay's record when the
        // same push moved the record out of the filter after the refused change (the caller's own later edit). A tombstone
        // holds no values: judged by the relay's last live values of the record.
        var values = sent;
        if (sent.IsDeleted)
        {
            var stored = relay.Endpoint.Store.GetRecordAsync(sent.Collection, sent.Id, CancellationToken.None).GetAwaiter().GetResult();
            values = stored?.LastLive ?? sent;
        }

        if (!grants.Any(g => values.TryGetValue(g.FilterField!.Value, out var value) && value.Kind == ValueKind.String && string.Equals(value.AsString, device.User, StringComparison.Ordinal)))
        {
            throw new InvariantViolationException("grants", $"{what} ({sent.Collection}/{sent.Id}) reached {device.User}, whose grants let them read only records whose {string.Join(" or ", grants.Select(g => g.FilterField))} is {device.User}.");
        }
    }
}
