using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Records;

/// <summary>
/// The current state of one field: the winning write (value, stamp, change) and <see cref="Seen"/>,
/// the join of the base versions of every write to this field that was merged.
/// </summary>
/// <remarks>
/// The winning write is the greatest by (stamp, then change id, then value); <see cref="Seen"/> is what
/// the field's writers, together, had seen: a losing write that it includes was knowingly overwritten,
/// one it does not include was lost to a concurrent write and goes to the conflict journal.
/// </remarks>
public readonly record struct FieldEntry(Value Value, Stamp Stamp, ChangeId Writer, VersionVector Seen)
{
    /// <summary>The merge order of writes: stamp, then change id, then value.</summary>
    public static int CompareWrites(Value leftValue, Stamp leftStamp, ChangeId leftWriter, Value rightValue, Stamp rightStamp, ChangeId rightWriter)
    {
        var byStamp = leftStamp.CompareTo(rightStamp);
        if (byStamp != 0)
        {
            return byStamp;
        }

        var byWriter = leftWriter.CompareTo(rightWriter);
        return byWriter != 0 ? byWriter : leftValue.CompareTo(rightValue);
    }
}
