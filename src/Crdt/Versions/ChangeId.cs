using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Crdt.Versions;

/// <summary>
/// The identity of a change: the replica that made it and its sequence number there, dense from 1.
/// It is the idempotency key everywhere: applying a change twice is a no-op.
/// </summary>
/// <remarks>Laws: equality is equality of both parts; ordered by origin, then sequence.</remarks>
public readonly record struct ChangeId(ReplicaId Origin, long Sequence) : IComparable<ChangeId>
{
    /// <inheritdoc />
    public int CompareTo(ChangeId other)
    {
        var byOrigin = Origin.CompareTo(other.Origin);
        return byOrigin != 0 ? byOrigin : Sequence.CompareTo(other.Sequence);
    }

    /// <summary><c>origin#sequence</c>.</summary>
    public override string ToString() => $"{Origin}#{Sequence}";
}
