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

    public void Record(ChangeOutcome outcome, SimulationCounters counters)
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
            || !outcome.Committed.SequenceEqual(first.Committed, ByteStringComparer.Instance))
        {
            throw new InvariantViolationException("one-outcome-per-change",
                $"change {id} got a second, different outcome: first {first.Kind}/{first.Reason} at log {first.LogSequence}, then {outcome.Kind}/{outcome.Reason} at log {outcome.LogSequence} (repeated={outcome.RepeatedPush}).");
        }
    }

    private sealed class ByteStringComparer : IEqualityComparer<ByteString>
    {
        public static readonly ByteStringComparer Instance = new();

        public bool Equals(ByteString? x, ByteString? y) => x is null ? y is null : y is not null && x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ByteString obj) => obj.Length;
    }
}
