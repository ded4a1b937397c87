using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Crdt.Schema;

/// <summary>
/// What the rules say of one change: the outcome, a machine-readable reason code, a message a person
/// understands, and for an accepted action the effects to commit with the authority's own stamp.
/// For a conflict caused by a field, <see cref="Field"/> names it and <see cref="FieldState"/> is its
/// current state (its writer tells who changed it and when).
/// </summary>
public sealed record Decision(OutcomeKind Outcome, string Reason, string Message, IReadOnlyList<FieldValue> Effects, FieldName? Field = null, FieldEntry? FieldState = null)
{
    /// <summary>An acceptance.</summary>
    public static Decision Accept(IReadOnlyList<FieldValue>? effects = null) => new(OutcomeKind.Accepted, "accepted", "accepted", effects ?? []);

    /// <summary>A refusal.</summary>
    public static Decision Refuse(OutcomeKind outcome, string reason, string message, FieldName? field = null, FieldEntry? state = null) =>
        new(outcome, reason, message, [], field, state);

    /// <summary>True for <see cref="OutcomeKind.Accepted"/>.</summary>
    public bool IsAccepted => Outcome == OutcomeKind.Accepted;
}
