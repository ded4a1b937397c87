using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Records;

/// <summary>The mark of a deleted record: the greatest delete merged (by stamp, then change id).</summary>
public readonly record struct Tombstone(Stamp Stamp, ChangeId DeletedBy) : IComparable<Tombstone>
{
    /// <inheritdoc />
    public int CompareTo(Tombstone other)
    {
        var byStamp = Stamp.CompareTo(other.Stamp);
        return byStamp != 0 ? byStamp : DeletedBy.CompareTo(other.DeletedBy);
    }
}
