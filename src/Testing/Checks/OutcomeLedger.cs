using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using Google.Protobuf;

namespace CrdtSync.Testing.Checks;

/// <summary>
/// Every outcome the relay gave, in the order it gave them (whether or not the network then delivered it), checked as
/// it arrives: a change id has exactly one outcome (a re-push returns the first one: same kind, reason, log sequence
/// and committed changes, marked repeated), and nothing is decided twice.
/// </summary>
internal sealed class OutcomeLedger
{
    private readonly Dictionary<ChangeId, ChangeOutcome> _first = [];

    public IReadOnlyDictionary<ChangeId, ChangeOutcome> First => _first;

    /// <param name="outcome">The outcome the relay gave.</param>
    /// <param name="counters">The run's counters.</param>
    /// <param name="logFloor">The relay's log floor now: committed changes at or below it were compacted away, so a re-push can no longer carry them.</param>
    public void Record(ChangeOutcome outcome, SimulationCounters counters, Func<long> logFloor)
    {
        var id = new ChangeId(ReplicaId.FromBytes(outcome.Origin.Span), outcome.Sequence);
        if (!_first.TryGetValue(id, out var first))
        {
            // A relay that crashed after a commit decided changes whose first answer nobody ever saw.
            if (outcome.RepeatedPush && counters.RelayCrashesAfterCommit == 0)
            {
                throw new InvariantViolationException("one-outcome-per-change", $"change {id} was answered as a repeated push, but the relay never decided it before.");
            }

            _first.Add(id, outcome);
            return;
        }

        counters.RepeatedPushOutcomes++;
        if (!outcome.RepeatedPush || outcome.Kind != first.Kind || outcome.Reason != first.Reason || outcome.LogSequence != first.LogSequence
            || !SameCommitted(first, outcome, logFloor))
        {
            throw new InvariantViolationException("one-outcome-per-change",
                $"change {id} got a second, different outcome: first {first.Kind}/{first.Reason} at log {first.LogSequence}, then {outcome.Kind}/{outcome.Reason} at log {outcome.LogSequence} (repeated={outcome.RepeatedPush}).");
        }
    }

    /// <summary>
    /// The same committed changes; after a compaction removed the first of them from the log, the ones still there (the
    /// relay reads them back from its log; a compacted change's bytes are gone, and the replica, whose cursor is then behind
    /// the floor, gets them from the snapshot its next pull has to take).
    /// </summary>
    private static bool SameCommitted(ChangeOutcome first, ChangeOutcome repeated, Func<long> logFloor)
    {
        if (repeated.Committed.SequenceEqual(first.Committed, ByteStringComparer.Instance))
        {
            return true;
        }

        return repeated.Committed.Count < first.Committed.Count
            && first.LogSequence <= logFloor()
            && repeated.Committed.All(c => first.Committed.Contains(c, ByteStringComparer.Instance));
    }

    private sealed class ByteStringComparer : IEqualityComparer<ByteString>
    {
        public static readonly ByteStringComparer Instance = new();

        public bool Equals(ByteString? x, ByteString? y) => x is null ? y is null : y is not null && x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ByteString obj) => obj.Length;
    }
}
