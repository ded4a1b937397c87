using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Sync;

namespace CrdtSync.Replica.Tests.Support;

/// <summary>
/// An in-memory authority that follows the relay's conventions: decides with ChangeRules, logs accepted changes with a
/// global sequence, commits an action's effects as its own upsert, answers a re-push with the first outcome.
/// </summary>
internal sealed class FakeRelay
{
    private readonly HybridLogicalClock _clock;
    private readonly TimeProvider _time;
    private readonly Dictionary<ChangeId, PushOutcome> _outcomes = [];
    private long _ownSequence;

    public FakeRelay(TimeProvider time, string configurationJson = "")
    {
        _time = time;
        Configuration = SyncConfigurationJson.Parse(configurationJson.Length == 0 ? Samples.IncidentsJson : configurationJson);
        _clock = new HybridLogicalClock(Id, time);
    }

    public ReplicaId Id { get; } = ReplicaId.FromPeerNumber(900);

    public SyncConfiguration Configuration { get; }

    public Dictionary<(CollectionName, RecordId), RecordState> States { get; } = [];

    public List<(long Sequence, byte[] Change)> Log { get; } = [];

    public RecordState StateOf(CollectionName collection, RecordId id) =>
        States.TryGetValue((collection, id), out var state) ? state : new RecordState(collection, id);

    /// <summary>Decides one change, as the relay would, and commits it when accepted.</summary>
    public PushOutcome Submit(Change change, Principal principal)
    {
        if (_outcomes.TryGetValue(change.Id, out var first))
        {
            return first;
        }

        _clock.Observe(change.Stamp);
        var current = StateOf(change.Collection, change.RecordId);
        var decision = ChangeRules.Decide(Configuration, principal, current, change, _time.GetUtcNow());
        PushOutcome outcome;
        if (decision.IsAccepted)
        {
            var committed = new List<ReadOnlyMemory<byte>> { Commit(change) };
            if (change.Kind == ChangeKind.Action && decision.Effects.Count > 0)
            {
                var effect = Change.Upsert(new ChangeId(Id, ++_ownSequence), _clock.Next(), change.Collection, change.RecordId,
                    StateOf(change.Collection, change.RecordId).Version, decision.Effects);
                committed.Add(Commit(effect));
            }

            outcome = new PushOutcome(change.Id, OutcomeKind.Accepted, "accepted", "accepted", null, Log[^1].Sequence, committed);
        }
        else
        {
            outcome = new PushOutcome(change.Id, decision.Outcome, decision.Reason, decision.Message,
                current.Version.Count > 0 ? RecordStateCodec.Encode(current) : (ReadOnlyMemory<byte>?)null);
        }

        _outcomes[change.Id] = outcome;
        return outcome;
    }

    /// <summary>Commits a change made elsewhere without checks (another device's accepted write).</summary>
    public byte[] Commit(Change change)
    {
        if (!States.TryGetValue((change.Collection, change.RecordId), out var state))
        {
            States[(change.Collection, change.RecordId)] = state = new RecordState(change.Collection, change.RecordId);
        }

        state.Apply(change);
        var bytes = ChangeCodec.Encode(change);
        Log.Add((Log.Count + 1, bytes));
        return bytes;
    }

    /// <summary>Pushes everything the replica has to push and hands back the outcomes.</summary>
    public async Task<IReadOnlyList<PushOutcome>> PushAsync(ReplicaStore store, int countMax = 100)
    {
        var batch = await store.TakePushBatchAsync(countMax);
        var outcomes = batch.Select(p => Submit(ChangeCodec.Decode(p.ChangeBytes), store.Principal!)).ToList();
        if (outcomes.Count > 0)
        {
            await store.RecordOutcomesAsync(outcomes);
        }

        return outcomes;
    }

    /// <summary>Sends the replica every logged change of <paramref name="collection"/> after its cursor, as one batch that reaches the head.</summary>
    public async Task PullAsync(ReplicaStore store, string collection)
    {
        var subscription = (await store.GetSubscriptionsAsync()).FirstOrDefault(s => s.Collection.Text == collection);
        var cursor = subscription?.Cursor ?? 0;
        var changes = Log.Where(e => e.Sequence > cursor)
            .Select(e => (e.Sequence, Change: ChangeCodec.Decode(e.Change), e.Change))
            .Where(e => e.Change.Collection.Text == collection)
            .Select(e => (ReadOnlyMemory<byte>)e.Item3)
            .ToList();
        await store.ApplyPulledBatchAsync(new PulledBatch(new CollectionName(collection), changes, Log.Count, ReachedHead: true));
    }
}
