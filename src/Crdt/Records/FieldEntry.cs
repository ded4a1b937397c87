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
/// A write is stamped by its change's origin (<c>Stamp.Replica == Writer.Origin</c>, as for every
/// <see cref="Changes.Change"/>), so an entry keeps only the stamp's time: 64 bytes, one cache line.
/// </remarks>
public readonly record struct FieldEntry
{
    private readonly ulong _time;

    /// <summary>An entry for the write <paramref name="writer"/> of <paramref name="value"/> stamped <paramref name="stamp"/>.</summary>
    /// <exception cref="ArgumentException">The stamp is not the writer's: <c>stamp.Replica != writer.Origin</c>.</exception>
    public FieldEntry(Value value, Stamp stamp, ChangeId writer, VersionVector seen)
    {
        if (stamp.Replica != writer.Origin)
        {
            throw new ArgumentException($"The stamp of write {writer} belongs to replica {stamp.Replica}; a write is stamped by its origin.", nameof(stamp));
        }

        Value = value;
        _time = stamp.Time;
        Writer = writer;
        Seen = seen;
    }

    /// <summary>The winning value.</summary>
    public Value Value { get; init; }

    /// <summary>The winning write's stamp (its replica is the writer's origin).</summary>
    public Stamp Stamp => new(_time, Writer.Origin);

    /// <summary>The change that wrote the winning value.</summary>
    public ChangeId Writer { get; }

    /// <summary>The join of the base versions of the writes merged into this field.</summary>
    public VersionVector Seen { get; init; }

    /// <summary>The four parts.</summary>
    public void Deconstruct(out Value value, out Stamp stamp, out ChangeId writer, out VersionVector seen)
    {
        value = Value;
        stamp = Stamp;
        writer = Writer;
        seen = Seen;
    }

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
