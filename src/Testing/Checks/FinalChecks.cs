using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Relay.Storage;
using CrdtSync.Testing.Nodes;

namespace CrdtSync.Testing.Checks;

/// <summary>The properties checked once the faults healed and every outbox drained. Each throws <see cref="InvariantViolationException"/>.</summary>
internal static class FinalChecks
{
    /// <summary>
    /// Every replica holds exactly the relay's records it may read (byte-equal encodings, equal version vectors), and
    /// nothing of a collection it may not read. In a collection read only through a record filter, the records it may read
    /// are those whose filter field holds its user (last live values for a tombstone); a record that left the filter may
    /// stay until the next snapshot of the collection (docs/sync.md, known limits) and is not compared.
    /// </summary>
    /// <remarks>
    /// With peer links, a replica may also have merged changes the relay refused (peers shared them before the relay
    /// decided; the relay's compensation undid their values): its version may then be ahead of the relay's by exactly such
    /// ids, and the state is compared field by field (value, stamp, writer) and tombstone, the version aside; the journal
    /// is equal, except where the replica merged a refused change of that record: then it holds no entry the relay lacks
    /// (the refused change's author saw writes the relay still journals). See docs/testing.md, "Peer links".
    /// </remarks>
    public static async Task ConvergenceAsync(SimulatedRelay relay, IReadOnlyList<SimulatedReplica> replicas, PeerMerges? acceptedWithPeers = null)
    {
        var rules = relay.Endpoint.Configuration.Rules;
        var collections = rules.Collections.Keys.ToArray();
        var snapshot = await relay.Endpoint.Store.ReadSnapshotAsync(collections, CancellationToken.None).ConfigureAwait(false);
        var relayRecords = snapshot.Records.ToDictionary(r => (r.State.Collection, r.State.Id));
        foreach (var replica in replicas)
        {
            var roles = await relay.Endpoint.Store.GetRolesAsync(replica.User, CancellationToken.None).ConfigureAwait(false);
            var principal = new Principal(replica.User, roles);
            var grants = collections.ToDictionary(c => c, c => rules.GrantsFor(principal, c).Where(g => g.Read).ToList());
            bool MayRead(StoredRecord record) => grants[record.State.Collection].Any(g => g.FilterField is not { } field
                || ((record.State.IsDeleted && record.LastLive is not null ? record.LastLive : record.State).TryGetValue(field, out var value)
                    && value.Kind == ValueKind.String && string.Equals(value.AsString, replica.User, StringComparison.Ordinal)));
            var held = ReplicaRecords(replica);
            foreach (var ((collection, id), (confirmed, visible)) in held)
            {
                if (grants[collection].Count == 0)
                {
                    throw new InvariantViolationException("grants", $"replica {replica.Index} ({replica.User}) still holds {collection}/{id}, which it may not read.");
                }

                if (visible is not null)
                {
                    throw new InvariantViolationException("convergence", $"replica {replica.Index} shows {collection}/{id} differently from its confirmed state with an empty outbox.");
                }

                // An empty state (no version, no tombstone) is how a replica remembers "the relay has nothing here", e.g. from a
                // refusal of a create: it is not a record.
                if (confirmed is null || (confirmed.Version.Count == 0 && !confirmed.IsDeleted))
                {
                    continue;
                }

                if (!relayRecords.TryGetValue((collection, id), out var stored))
                {
                    throw new InvariantViolationException("convergence", $"replica {replica.Index} holds {collection}/{id}, which the relay never accepted.");
                }

                if (!MayRead(stored))
                {
                    // Left the user's filter after it was sent: purged at the collection's next snapshot.
                    continue;
                }

                var authority = stored.State;
                if (acceptedWithPeers is not null)
                {
                    SameAsRelayWithPeers(replica, confirmed, authority, acceptedWithPeers);
                    continue;
                }

                if (!confirmed.Version.Equals(authority.Version))
                {
                    throw new InvariantViolationException("convergence", $"replica {replica.Index}: {collection}/{id} has version {confirmed.Version}, the relay {authority.Version}.");
                }

                if (!RecordStateCodec.Encode(confirmed).AsSpan().SequenceEqual(RecordStateCodec.Encode(authority)))
                {
                    throw new InvariantViolationException("convergence", $"replica {replica.Index}: {collection}/{id} differs from the relay's: {Describe(confirmed)} vs {Describe(authority)}.");
                }
            }

            foreach (var ((collection, id), _) in relayRecords.Where(r => MayRead(r.Value)))
            {
                if (!held.TryGetValue((collection, id), out var mine) || mine.Confirmed is null)
                {
                    throw new InvariantViolationException("convergence", $"replica {replica.Index} ({replica.User}) misses {collection}/{id}, which it may read.");
                }
            }
        }
    }

    /// <summary>
    /// After a full peer exchange among healed replicas: nothing is held waiting for a predecessor, and every replica's
    /// contiguous vector is the same (each holds every change id any of them could share).
    /// </summary>
    public static async Task PeersConvergedAsync(IReadOnlyList<SimulatedReplica> replicas)
    {
        VersionVector? first = null;
        foreach (var replica in replicas)
        {
            var held = await replica.Store.GetHeldPeerChangeCountAsync().ConfigureAwait(false);
            if (held > 0)
            {
                throw new InvariantViolationException("peer-convergence", $"replica {replica.Index} still holds {held} peer changes waiting for a predecessor after a full exchange.");
            }

            var version = await replica.Store.GetPeerVersionAsync().ConfigureAwait(false);
            first ??= version;
            if (!version.Equals(first))
            {
                throw new InvariantViolationException("peer-convergence", $"after a full exchange replica {replica.Index} has the contiguous vector {version}, replica 0 {first}.");
            }
        }
    }

    /// <summary>Every change the relay accepted is in the relay's record (and was logged once): no acknowledged change is lost.</summary>
    public static async Task AcknowledgedChangesKeptAsync(SimulatedRelay relay, OutcomeLedger ledger)
    {
        var collections = relay.Endpoint.Configuration.Rules.Collections.Keys.ToArray();
        var snapshot = await relay.Endpoint.Store.ReadSnapshotAsync(collections, CancellationToken.None).ConfigureAwait(false);
        var records = snapshot.Records.ToDictionary(r => (r.State.Collection, r.State.Id), r => r.State);
        var log = await ReadLogAsync(relay).ConfigureAwait(false);
        var logged = new Dictionary<ChangeId, long>();
        var changes = new Dictionary<ChangeId, Change>();
        foreach (var (sequence, change) in log)
        {
            if (!logged.TryAdd(change.Id, sequence))
            {
                throw new InvariantViolationException("one-outcome-per-change", $"change {change.Id} is in the relay's log twice (at {logged[change.Id]} and {sequence}).");
            }

            changes.Add(change.Id, change);
        }

        foreach (var (id, outcome) in ledger.First)
        {
            if (outcome.Kind != Protocol.V1.OutcomeKind.Accepted)
            {
                continue;
            }

            // The first answer this ledger saw may be a re-push's after a compaction, which no longer carries the change.
            var change = outcome.Committed.Count > 0 ? ChangeCodec.Decode(outcome.Committed[0].Memory)
                : changes.TryGetValue(id, out var inLog) ? inLog
                : throw new InvariantViolationException("acknowledged-change-kept", $"change {id} was accepted (log {outcome.LogSequence}) but is nowhere in the log.");
            if (!records.TryGetValue((change.Collection, change.RecordId), out var state) || !state.Version.Includes(id))
            {
                throw new InvariantViolationException("acknowledged-change-kept", $"change {id} was accepted (log {outcome.LogSequence}) but the relay's {change.Collection}/{change.RecordId} does not include it.");
            }

            if (!logged.TryGetValue(id, out var at) || at != outcome.LogSequence)
            {
                throw new InvariantViolationException("acknowledged-change-kept", $"change {id} was accepted at log {outcome.LogSequence} but the log holds it at {(logged.TryGetValue(id, out var other) ? other : "nowhere")}.");
            }
        }
    }

    /// <summary>Replaying the relay's log in order, every accepted action's guard held on the record just before it: guarded actions are linearizable.</summary>
    public static async Task GuardedActionsLinearizableAsync(SimulatedRelay relay)
    {
        var rules = relay.Endpoint.Configuration.Rules;
        var states = new Dictionary<(CollectionName, RecordId), RecordState>();
        foreach (var (sequence, change) in await ReadLogAsync(relay).ConfigureAwait(false))
        {
            var key = (change.Collection, change.RecordId);
            if (!states.TryGetValue(key, out var state))
            {
                states.Add(key, state = new RecordState(change.Collection, change.RecordId));
            }

            if (change.Kind == ChangeKind.Action)
            {
                var schema = rules.Collections[change.Collection];
                var action = schema.Actions[change.ActionName!.Value];
                if (action.Guard.RequiresExists && !state.Exists)
                {
                    throw new InvariantViolationException("guarded-actions-linearizable", $"log {sequence}: {action.Name} of {change.Collection}/{change.RecordId} was accepted on a record that did not exist.");
                }

                foreach (var (field, allowed) in action.Guard.FieldIn)
                {
                    var value = state.TryGetValue(field, out var written) ? written : schema.Fields[field].Initial ?? Value.Null;
                    if (!allowed.Contains(value))
                    {
                        throw new InvariantViolationException("guarded-actions-linearizable",
                            $"log {sequence}: {action.Name} of {change.Collection}/{change.RecordId} was accepted while {field} = {value} (the guard wants {string.Join(" or ", allowed)}): two guarded actions were both accepted on the same state.");
                    }
                }
            }

            state.Apply(change);
        }
    }

    /// <summary>The relay's whole log (compacted entries included): change id → log sequence. Only accepted changes are logged.</summary>
    public static async Task<IReadOnlyDictionary<ChangeId, long>> AcceptedChangesAsync(SimulatedRelay relay) =>
        (await ReadLogAsync(relay).ConfigureAwait(false)).ToDictionary(r => r.Change.Id, r => r.Sequence);

    /// <summary>
    /// For each replica and record, the entries accepted without ever being refused were accepted in outbox order.
    /// <paramref name="accepted"/> is the relay's log, which also holds the changes whose outcome the network or a relay
    /// crash lost and that the replica then saw accepted by pulling them back.
    /// </summary>
    public static void OutboxOrderKept(IReadOnlyList<SimulatedReplica> replicas, IReadOnlyDictionary<ChangeId, long> accepted, EntryTracker entries)
    {
        foreach (var replica in replicas)
        {
            var inOrder = new List<(long Log, long Entry, CollectionName Collection, RecordId Record)>();
            foreach (var (entry, ids) in entries.ChangesOf(replica.Index))
            {
                if (ids.Count == 1 && accepted.TryGetValue(ids[0].Id, out var sequence))
                {
                    inOrder.Add((sequence, entry, ids[0].Collection, ids[0].Record));
                }
            }

            foreach (var group in inOrder.GroupBy(a => (a.Collection, a.Record)))
            {
                var ordered = group.OrderBy(a => a.Log).ToArray();
                for (var i = 1; i < ordered.Length; i++)
                {
                    if (ordered[i].Entry < ordered[i - 1].Entry)
                    {
                        throw new InvariantViolationException("outbox-order", $"replica {replica.Index}: on {group.Key.Collection}/{group.Key.Record} entry {ordered[i].Entry} was accepted (log {ordered[i].Log}) after entry {ordered[i - 1].Entry} (log {ordered[i - 1].Log}).");
                    }
                }
            }
        }
    }

    /// <summary>Every local change the user did not discard was accepted by the relay (is in its log under one of the change ids it carried).</summary>
    public static void LocalChangesKept(IReadOnlyList<SimulatedReplica> replicas, IReadOnlyDictionary<ChangeId, long> accepted, EntryTracker entries)
    {
        foreach (var replica in replicas)
        {
            foreach (var (entry, ids) in entries.ChangesOf(replica.Index))
            {
                if (entries.IsDiscarded(replica.Index, entry))
                {
                    continue;
                }

                if (!ids.Any(i => accepted.ContainsKey(i.Id)))
                {
                    throw new InvariantViolationException("no-local-change-lost", $"replica {replica.Index}: outbox entry {entry} ({string.Join(", ", ids.Select(i => i.Id))}) left the outbox without being accepted or discarded.");
                }
            }
        }
    }

    private static async Task<List<(long Sequence, Change Change)>> ReadLogAsync(SimulatedRelay relay)
    {
        var collections = relay.Endpoint.Configuration.Rules.Collections.Keys.ToArray();
        var page = await relay.Endpoint.Store.ReadLogAsync(new LogQuery(0, int.MaxValue, collections, false), CancellationToken.None).ConfigureAwait(false);
        return [.. relay.CompactedLog.Concat(page.Rows.Select(r => (r.Sequence, r.Change))).Select(r => (r.Sequence, ChangeCodec.Decode(r.Change)))];
    }

    private static Dictionary<(CollectionName, RecordId), (RecordState? Confirmed, RecordState? Visible)> ReplicaRecords(SimulatedReplica replica)
    {
        var records = new Dictionary<(CollectionName, RecordId), (RecordState?, RecordState?)>();
        using var reader = replica.Store.Database.Command("SELECT collection, record_id, confirmed, visible FROM records").ExecuteReader();
        while (reader.Read())
        {
            var confirmed = reader.IsDBNull(2) ? null : RecordStateCodec.Decode((byte[])reader[2]);
            var visible = reader.IsDBNull(3) ? null : RecordStateCodec.Decode((byte[])reader[3]);
            if (confirmed is null && visible is null)
            {
                continue;
            }

            records.Add((new CollectionName(reader.GetString(0)), new RecordId(reader.GetString(1))), (confirmed, visible));
        }

        return records;
    }

    private static void SameAsRelayWithPeers(SimulatedReplica replica, RecordState confirmed, RecordState authority, PeerMerges merges)
    {
        var accepted = merges.Accepted;
        var where = $"replica {replica.Index}: {confirmed.Collection}/{confirmed.Id}";
        foreach (var (origin, relaySequence) in authority.Version)
        {
            if (confirmed.Version.Get(origin) < relaySequence)
            {
                throw new InvariantViolationException("convergence", $"{where} has version {confirmed.Version}, behind the relay's {authority.Version}.");
            }
        }

        foreach (var (origin, sequence) in confirmed.Version)
        {
            // The highest id of this origin merged here; when the relay's record is behind it, the relay must never have
            // accepted it (ids of one origin run across records, so only the highest one is known to be of this record).
            var newest = new ChangeId(origin, sequence);
            if (sequence > authority.Version.Get(origin) && accepted.ContainsKey(newest))
            {
                throw new InvariantViolationException("convergence", $"{where} has merged {newest}, which the relay accepted, but the relay's record {authority.Version} does not include it.");
            }
        }

        var mine = Comparable(confirmed);
        var theirs = Comparable(authority);
        if (mine != theirs)
        {
            throw new InvariantViolationException("convergence", $"{where} differs from the relay's: {mine} vs {theirs}.");
        }

        var mergedRefused = merges.Received.TryGetValue(replica.Index, out var received)
            && received.Any(r => r.Value == (confirmed.Collection, confirmed.Id) && !accepted.ContainsKey(r.Key));
        var relayJournal = authority.Journal.ToHashSet();
        if (mergedRefused ? !confirmed.Journal.All(relayJournal.Contains) : !confirmed.Journal.ToHashSet().SetEquals(relayJournal))
        {
            throw new InvariantViolationException("convergence",
                $"{where} has the journal [{string.Join(", ", confirmed.Journal.Order())}], the relay [{string.Join(", ", authority.Journal.Order())}]{(mergedRefused ? " (it merged a change the relay refused, so it may hold fewer entries, never others)" : string.Empty)}.");
        }
    }

    /// <summary>A record's state without its version and journal: tombstone, and every field's value, stamp and writer.</summary>
    private static string Comparable(RecordState state) =>
        $"deleted={state.IsDeleted}; {string.Join(", ", state.SortedFields().Select(f => $"{f.Key}={f.Value.Value}@{f.Value.Stamp}/{f.Value.Writer}"))}";

    private static string Describe(RecordState state) =>
        $"{{{string.Join(", ", state.SortedFields().Select(f => $"{f.Key}={f.Value.Value}@{f.Value.Stamp}"))}; v={state.Version}; deleted={state.IsDeleted}; journal={state.Journal.Count}}}";
}
