using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using OutcomeKind = CrdtSync.Crdt.Schema.OutcomeKind;
using WireOutcomeKind = CrdtSync.Protocol.V1.OutcomeKind;

namespace CrdtSync.Replica.Sync;

/// <summary>Turns the relay's per-change outcomes (wire) into the replica's <see cref="PushOutcome"/>.</summary>
internal static class OutcomeMapping
{
    public static OutcomeKind FromWire(WireOutcomeKind kind) => kind switch
    {
        WireOutcomeKind.Accepted => OutcomeKind.Accepted,
        WireOutcomeKind.Conflict => OutcomeKind.Conflict,
        WireOutcomeKind.Invalid => OutcomeKind.Invalid,
        WireOutcomeKind.Deleted => OutcomeKind.Deleted,
        WireOutcomeKind.Forbidden => OutcomeKind.Forbidden,
        WireOutcomeKind.ClockSkew => OutcomeKind.ClockSkew,
        _ => throw new InvalidOperationException($"The relay answered a change with outcome kind {kind}, which this client does not know: update the app."),
    };

    /// <summary>The replica's outcome; <paramref name="message"/> replaces the relay's message (an explained one) when given.</summary>
    public static PushOutcome FromWire(ChangeOutcome outcome, string? message = null)
    {
        var kind = FromWire(outcome.Kind);
        var id = new ChangeId(ReplicaId.FromBytes(outcome.Origin.Span), outcome.Sequence);
        if (kind == OutcomeKind.Accepted)
        {
            return new PushOutcome(id, kind, outcome.Reason, outcome.Message, null, outcome.LogSequence,
                [.. outcome.Committed.Select(b => (ReadOnlyMemory<byte>)b.Memory)]);
        }

        return new PushOutcome(id, kind, outcome.Reason, message ?? outcome.Message,
            outcome.HasCurrentState ? outcome.CurrentState.Memory : null);
    }
}
