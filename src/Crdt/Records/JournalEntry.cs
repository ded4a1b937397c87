using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Records;

/// <summary>
/// A write that lost to a concurrent write of the same field: its value, its author (the change id's
/// origin) and its stamp, kept so that "what happened to my edit?" has an answer.
/// </summary>
/// <remarks>Ordered by field, then stamp, then change id; a journal holds a write at most once.</remarks>
public readonly record struct JournalEntry(FieldName Field, Value Value, Stamp Stamp, ChangeId Writer) : IComparable<JournalEntry>
{
    /// <inheritdoc />
    public int CompareTo(JournalEntry other)
    {
        var byField = Field.CompareTo(other.Field);
        if (byField != 0)
        {
            return byField;
        }

        var byStamp = Stamp.CompareTo(other.Stamp);
        return byStamp != 0 ? byStamp : Writer.CompareTo(other.Writer);
    }
}
