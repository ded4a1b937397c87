using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Versions;
using CrdtSync.Relay.Auth;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Transport;
using CrdtSync.Testing.Checks;
using CrdtSync.Testing.Network;
using CrdtSync.Testing.Nodes;
using CrdtSync.Testing.Schedules;
using CrdtSync.Testing.Sync;
using CrdtSync.Testing.Time;

namespace CrdtSync.Testing;

/// <summary>One run of one schedule: the nodes, the network, the checks made along the way and at the end.</summary>
internal sealed class SimulationRun : IAsyncDisposable
{
    private readonly Schedule _schedule;
    private readonly SimulationOptions _options;
    private readonly SyncConfiguration _configuration;
    private readonly string _directory;
    private readonly SimulatedWorld _world = new();
    private readonly SimulatedNetwork _network = new();
    private readonly OutcomeLedger _ledger = new();
    private readonly EntryTracker _entries = new();
    private readonly Random _random;
    private readonly List<SimulatedReplica> _replicas = [];
    private readonly List<InMemoryRelayTransport> _transports = [];
    private readonly List<IReplicaSyncDriver> _drivers = [];
    private readonly SimulatedPeerLinks _peerLinks;
    private SimulatedRelay? _relay;

    public SimulationRun(Schedule schedule, SimulationOptions options)
    {
        _schedule = schedule;
        _options = options;
        _configuration = SyncConfigurationJson.Parse(options.ConfigurationJson);
        _random = new Random(schedule.Seed);
        _peerLinks = new SimulatedPeerLinks(Counters);
        _directory = Path.Combine(options.TemporaryDirectory ?? DefaultTemporaryDirectory.Value, $"crdtsync-sim-{schedule.Seed}-{Guid.NewGuid():N}");
    }

    public SimulationCounters Counters { get; } = new();

    /// <summary>
    /// A memory-backed folder (Linux <c>/dev/shm</c>) when there is one, else the system temp folder. The simulated crashes
    /// are process crashes (objects dropped, files reopened), never power losses, so an fsync proves nothing here and only
    /// costs time; the relay still runs its <c>synchronous=FULL</c> code path.
    /// </summary>
    private static readonly Lazy<string> DefaultTemporaryDirectory = new(() =>
    {
        const string memory = "/dev/shm";
        if (OperatingSystem.IsLinux() && Directory.Exists(memory))
        {
            try
            {
                var probe = Path.Combine(memory, $"crdtsync-sim-probe-{Environment.ProcessId}");
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                return memory;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Not writable: fall back to the temp folder.
            }
        }

        return Path.GetTempPath();
    });

    /// <summary>The step being run (for failure messages); -1 while draining.</summary>
    public int CurrentStep { get; private set; } = -1;

    private SimulatedRelay Relay => _relay!;

    public async Task ExecuteAsync()
    {
        Counters.Schedules++;
        Directory.CreateDirectory(_directory);
        _relay = await SimulatedRelay.StartAsync(Path.Combine(_directory, "relay"), _options.ConfigurationJson, new NodeClock(_world), _random).ConfigureAwait(false);
        _relay.Counters = Counters;
        _relay.Sabotage = _options.Sabotage;
        foreach (var user in _options.Users)
        {
            foreach (var role in user.Roles)
            {
                await Relay.Endpoint.SetRoleAsync(user.Name, role, true).ConfigureAwait(false);
            }
        }

        for (var i = 0; i < _options.ReplicaCount; i++)
        {
            var user = _options.Users[i % _options.Users.Count];
            var index = i;
            var replica = new SimulatedReplica(i, user.Name, Path.Combine(_directory, $"replica-{i}.db"), new NodeClock(_world), _schedule.Seed)
            {
                Counters = Counters,
                // Raised after the store released its lock, so reading the outbox here is safe. It sees every change id an
                // entry carries, also those the sync client gives it inside a round (re-stamping after clock skew).
                OutboxChanged = store => TrackOutbox(index, store.GetOutboxAsync().GetAwaiter().GetResult()),
            };
            _replicas.Add(replica);
            await replica.Store.ConfigureAsync(_options.ConfigurationJson, user.Name, [.. user.Roles]).ConfigureAwait(false);
            var device = await Relay.Endpoint.CreateDeviceAsync(user.Name, replica.Store.ReplicaId).ConfigureAwait(false);
            _transports.Add(new InMemoryRelayTransport(i, device, Relay, _network, _ledger, () => _replicas[replica.Index], Counters));
            _drivers.Add(_options.Sabotage == Sabotage.SkipSomePulledChanges && i == 0
                ? new SyncClientDriver { TransportDecorator = (store, inner) => new SkippingTransport(inner, store.ReplicaId) }
                : PeerLinks
                    // As a device that serves peers runs it: what the relay commits is recorded for the peers.
                    ? new SyncClientDriver { TransportDecorator = (store, inner) => new Replica.Peers.PeerRecordingRelayTransport(inner, store) }
                    : _options.SyncDriver());
        }

        for (var i = 0; i < _schedule.Steps.Count; i++)
        {
            CurrentStep = i;
            Counters.Steps++;
            _world.Advance(TimeSpan.FromMilliseconds(10));
            await RunStepAsync(_schedule.Steps[i]).ConfigureAwait(false);
        }

        CurrentStep = -1;
        await DrainAsync().ConfigureAwait(false);
        var accepted = await FinalChecks.AcceptedChangesAsync(Relay).ConfigureAwait(false);
        if (PeerLinks)
        {
            await PeerExchangeAsync().ConfigureAwait(false);
            await FinalChecks.PeersConvergedAsync(_replicas).ConfigureAwait(false);
            Counters.RefusedChangesPeersMerged += _peerLinks.Received.Values.SelectMany(ids => ids.Keys).Distinct().Count(id => !accepted.ContainsKey(id));
        }

        await FinalChecks.ConvergenceAsync(Relay, _replicas, PeerLinks ? new PeerMerges(accepted, _peerLinks.Received) : null).ConfigureAwait(false);
        await FinalChecks.AcknowledgedChangesKeptAsync(Relay, _ledger).ConfigureAwait(false);
        await FinalChecks.GuardedActionsLinearizableAsync(Relay).ConfigureAwait(false);
        FinalChecks.OutboxOrderKept(_replicas, accepted, _entries);
        FinalChecks.LocalChangesKept(_replicas, accepted, _entries);
    }

    /// <summary>True when the schedule's mix has peer links.</summary>
    private bool PeerLinks => _options.Mix.PeerSync > 0;

    /// <summary>
    /// After the drain, every pair of replicas runs peer rounds until a whole pass moves nothing: whatever any of them
    /// still shares (also changes the relay refused) reaches all, and must change nothing the relay decided.
    /// </summary>
    private async Task PeerExchangeAsync()
    {
        for (var pass = 0; pass <= _replicas.Count; pass++)
        {
            var moved = 0;
            for (var i = 0; i < _replicas.Count; i++)
            {
                for (var j = i + 1; j < _replicas.Count; j++)
                {
                    moved += await _peerLinks.SyncAsync(i, _replicas[i].Store, j, _replicas[j].Store).ConfigureAwait(false) ?? 0;
                }
            }

            if (moved == 0)
            {
                return;
            }
        }

        throw new InvariantViolationException("peer-convergence", $"peer rounds among {_replicas.Count} healed replicas still moved changes after {_replicas.Count + 1} passes.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        if (_relay is not null)
        {
            await _relay.DisposeAsync().ConfigureAwait(false);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the folder is in the temp directory.
        }
    }

    private async Task RunStepAsync(SimStep step)
    {
        switch (step)
        {
            case LocalOperationStep local:
                await LocalAsync(local).ConfigureAwait(false);
                break;
            case ResolveStep resolve:
                await ResolveFirstErrorAsync(resolve.Replica, resolve.Retry).ConfigureAwait(false);
                break;
            case SyncStep sync:
                await SyncAsync(sync.Replica).ConfigureAwait(false);
                break;
            case RoleStep role:
                await Relay.Endpoint.SetRoleAsync(_options.Users[role.User % _options.Users.Count].Name, role.Role, role.Granted).ConfigureAwait(false);
                break;
            case PartitionStep partition:
                if (_network.SetPartitioned(partition.Replica, partition.Partitioned))
                {
                    Counters.PartitionHeals++;
                }

                break;
            case NetworkFaultStep fault:
                _network.Arm(fault.Replica, fault.Fault, fault.Call);
                break;
            case DeliverDelayedStep deliver:
                await DeliverDelayedAsync(deliver.Index).ConfigureAwait(false);
                break;
            case CrashReplicaStep crash when crash.Point == ReplicaCrashPoint.Now:
                _replicas[crash.Replica].CrashAndReopen();
                break;
            case CrashReplicaStep crash:
                _replicas[crash.Replica].Arm(crash.Point);
                break;
            case CrashRelayStep crash when crash.Point == RelayCrashPoint.Now:
                await Relay.CrashAndRestartAsync().ConfigureAwait(false);
                break;
            case CrashRelayStep crash:
                Relay.Arm(crash.Point);
                break;
            case ClockStep clock:
                var node = _replicas[clock.Replica].Clock;
                var offset = TimeSpan.FromMilliseconds(clock.OffsetMilliseconds);
                if (offset < node.Offset)
                {
                    Counters.ClockStepsBackwards++;
                }

                node.Offset = offset;
                break;
            case CompactLogStep compact:
                await Relay.CompactLogAsync(compact.Percent).ConfigureAwait(false);
                break;
            case PeerSyncStep peer:
                await _peerLinks.SyncAsync(peer.Replica, _replicas[peer.Replica].Store, peer.Peer, _replicas[peer.Peer].Store).ConfigureAwait(false);
                break;
            case PeerPartitionStep cut:
                if (_peerLinks.SetCut(cut.Replica, cut.Peer, cut.Partitioned))
                {
                    Counters.PeerPartitionHeals++;
                }

                break;
            case AdvanceTimeStep advance:
                _world.Advance(TimeSpan.FromMilliseconds(advance.Milliseconds));
                break;
            default:
                throw new NotSupportedException($"Unknown step {step}.");
        }
    }

    private async Task LocalAsync(LocalOperationStep step)
    {
        var store = _replicas[step.Replica].Store;
        if (step.Kind != LocalOperationKind.Create)
        {
            // Users edit records they see: the slot picks one of them (deterministically), when there are any.
            var seen = new List<string>();
            using (var reader = store.Database.Command("SELECT record_id FROM records WHERE collection = $p0 AND visible_exists = 1 ORDER BY record_id", step.Collection).ExecuteReader())
            {
                while (reader.Read())
                {
                    seen.Add(reader.GetString(0));
                }
            }

            if (seen.Count == 0)
            {
                // Nothing to edit yet: the user creates the record instead (required fields filled in).
                var schema = _configuration.Collections[new Crdt.Values.CollectionName(step.Collection)];
                var createFields = step.Kind == LocalOperationKind.Update ? step.Fields.ToList() : [];
                createFields.AddRange(schema.Fields.Values
                    .Where(f => f.Required && f.Policy != FieldPolicy.Guarded && createFields.All(g => g.Key != f.Name.Text))
                    .OrderBy(f => f.Name.Text, StringComparer.Ordinal)
                    .Select(f => new KeyValuePair<string, Crdt.Values.Value>(f.Name.Text, ScheduleGenerator.DefaultValue(f))));
                step = step with { Kind = LocalOperationKind.Create, Action = null, Fields = createFields };
            }
            else if (!seen.Contains(step.RecordId))
            {
                step = step with { Record = int.Parse(seen[step.Record % seen.Count].AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) };
            }
        }

        var before = await store.GetAsync(step.Collection, step.RecordId).ConfigureAwait(false);
        var fields = step.Fields.ToDictionary(f => f.Key, f => f.Value);
        try
        {
            switch (step.Kind)
            {
                case LocalOperationKind.Create:
                    await store.CreateAsync(step.Collection, fields, step.RecordId).ConfigureAwait(false);
                    break;
                case LocalOperationKind.Update:
                    await store.UpdateAsync(step.Collection, step.RecordId, fields).ConfigureAwait(false);
                    break;
                case LocalOperationKind.Action:
                    await store.PerformActionAsync(step.Collection, step.RecordId, step.Action!, fields).ConfigureAwait(false);
                    break;
                default:
                    await store.DeleteAsync(step.Collection, step.RecordId).ConfigureAwait(false);
                    break;
            }
        }
        catch (RecordLockedException)
        {
            Counters.LockedRefusals++;
            var after = await store.GetAsync(step.Collection, step.RecordId).ConfigureAwait(false);
            if (before is null || after is null || !RecordStateCodec.Encode(before.State).AsSpan().SequenceEqual(RecordStateCodec.Encode(after.State)))
            {
                throw new InvariantViolationException("locked-record", $"replica {step.Replica}: a refused write changed the locked record {step.Collection}/{step.RecordId}.");
            }

            return;
        }
        catch (Exception error) when (error is ReplicaException or CrdtException)
        {
            Counters.LocalRefusals++;
            return;
        }

        if (before is { IsLocked: true })
        {
            throw new InvariantViolationException("locked-record", $"replica {step.Replica}: the local API changed {step.Collection}/{step.RecordId} while it was locked ({before.Status}).");
        }

        Counters.LocalWrites++;
        await TrackOutboxAsync(step.Replica, step.Collection, step.RecordId).ConfigureAwait(false);
    }

    private async Task TrackOutboxAsync(int replica, string? collection = null, string? id = null) =>
        TrackOutbox(replica, await _replicas[replica].Store.GetOutboxAsync(collection, id).ConfigureAwait(false));

    private void TrackOutbox(int replica, IEnumerable<Replica.Outbox.OutboxEntry> outbox)
    {
        foreach (var entry in outbox)
        {
            _entries.Saw(replica, entry.EntryId, entry.Change.Id, entry.Collection, entry.RecordId);
        }
    }

    private async Task<bool> ResolveFirstErrorAsync(int index, bool retry)
    {
        var store = _replicas[index].Store;
        var entry = (await store.GetOutboxAsync().ConfigureAwait(false)).FirstOrDefault(e => e.IsError);
        if (entry is null)
        {
            return false;
        }

        if (retry && entry.IsResolvable)
        {
            try
            {
                await store.RetryAsync(entry.EntryId).ConfigureAwait(false);
                Counters.Retries++;
                await TrackOutboxAsync(index).ConfigureAwait(false);
                return true;
            }
            catch (ReplicaException)
            {
                // Not retryable as it is (e.g. the guard no longer holds): the user discards it.
            }
        }

        await store.DiscardAsync(entry.EntryId).ConfigureAwait(false);
        Counters.Discards++;
        _entries.Discarded(index, entry.EntryId);
        return true;
    }

    private async Task SyncAsync(int index)
    {
        var replica = _replicas[index];
        try
        {
            await _drivers[index].SyncAsync(replica.Store, _transports[index], replica.Clock, CancellationToken.None).ConfigureAwait(false);
            var readable = (await replica.Store.GetSubscriptionsAsync().ConfigureAwait(false)).Count;
            if (readable < replica.ReadableCollections)
            {
                Counters.Revocations++;
            }

            replica.ReadableCollections = readable;
        }
        catch (RelayTransportException)
        {
            // The link failed; the replica retries at its next sync.
        }
        catch (SimulatedCrashException)
        {
            replica.CrashAndReopen();
        }

        await TrackOutboxAsync(index).ConfigureAwait(false);
    }

    private async Task DeliverDelayedAsync(int index)
    {
        if (_network.Delayed.Count == 0)
        {
            return;
        }

        var delivery = _network.Delayed[index % _network.Delayed.Count];
        _network.Delayed.Remove(delivery);
        try
        {
            await delivery().ConfigureAwait(false);
        }
        catch (RelayTransportException)
        {
            // The late request was refused or the relay crashed on it; nobody waits for its answer.
        }
    }

    private async Task DrainAsync()
    {
        Counters.PartitionHeals += _network.HealAll();
        Counters.PeerPartitionHeals += _peerLinks.HealAll();
        while (_network.Delayed.Count > 0)
        {
            await DeliverDelayedAsync(0).ConfigureAwait(false);
        }

        Relay.Disarm();
        foreach (var replica in _replicas)
        {
            replica.Disarm();
            if (replica.Clock.Offset > TimeSpan.Zero)
            {
                Counters.ClockStepsBackwards++;
            }

            replica.Clock.Offset = TimeSpan.Zero;
        }

        // Past every skewed stamp (the furthest skew may exceed the bound), so re-stamped changes and compensations of
        // skew-refused ones are no longer ahead of the relay.
        var skewMax = _schedule.Steps.OfType<ClockStep>().Select(c => TimeSpan.FromMilliseconds(c.OffsetMilliseconds)).Append(_configuration.ClockSkewMax).Max();
        _world.Advance(skewMax + TimeSpan.FromMinutes(1));
        for (var round = 0; ; round++)
        {
            if (round >= _options.DrainRoundsMax)
            {
                var left = new List<string>();
                foreach (var replica in _replicas)
                {
                    left.AddRange((await replica.Store.GetOutboxAsync().ConfigureAwait(false)).Select(e => $"replica {replica.Index} entry {e.EntryId} {e.Status} {e.Reason}"));
                }

                throw new InvariantViolationException("outbox-drains", $"after {round} sync rounds with no faults the outboxes still hold: {string.Join("; ", left)}.");
            }

            Counters.Steps++;
            foreach (var replica in _replicas)
            {
                await SyncAsync(replica.Index).ConfigureAwait(false);
            }

            var pending = false;
            foreach (var replica in _replicas)
            {
                var outbox = await replica.Store.GetOutboxAsync().ConfigureAwait(false);
                pending |= outbox.Count > 0;
                while (await ResolveFirstErrorAsync(replica.Index, retry: round < _options.DrainRoundsMax / 2 && _random.Next(4) != 0).ConfigureAwait(false))
                {
                }
            }

            _world.Advance(TimeSpan.FromSeconds(1));
            if (!pending)
            {
                break;
            }
        }

        // One more round so every replica pulls what the others pushed last.
        foreach (var replica in _replicas)
        {
            await SyncAsync(replica.Index).ConfigureAwait(false);
        }
    }
}
