using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>
/// Generators of single changes and of arbitrary (not causally plausible) change sets: stamps, base
/// vectors and sequence numbers are drawn independently, so the merge must hold up even for histories no
/// correct replica would produce. Every change in a set has its own change id (the idempotency key).
/// </summary>
public static class ChangeGenerators
{
    /// <summary>One to four distinct fields with any values.</summary>
    public static Gen<FieldValue[]> Fields(Gen<Value> values) =>
        from names in Gen.SubListOf(Domain.Fields).Where(list => list.Count > 0)
        from chosen in Gen.CollectToArray(names, name => values.Select(value => new FieldValue(name, value)))
        select chosen;

    /// <summary>A version vector over the small world's replicas (sequences 0 to 6).</summary>
    public static Gen<VersionVector> Version { get; } =
        Gen.CollectToArray(Domain.Replicas, replica => Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 6)))
                .Select(sequence => new KeyValuePair<ReplicaId, long>(replica, sequence)))
            .Select(VersionVector.From);

    /// <summary>A change with the given id; any kind, stamp and base.</summary>
    public static Gen<Change> ChangeWithId(ChangeId id, int deleteWeight, Gen<Value> values) =>
        from stamp in ValueGenerators.StampOf(id.Origin)
        from baseVersion in Version
        from kind in Gen.Frequency((12, Gen.Constant(ChangeKind.Upsert)), (2, Gen.Constant(ChangeKind.Action)), (deleteWeight, Gen.Constant(ChangeKind.Delete)))
        from fields in Fields(values)
        from action in Gen.Elements("close", "reopen", "assign")
        select kind switch
        {
            ChangeKind.Upsert => Change.Upsert(id, stamp, Domain.Collection, Domain.Record, baseVersion, fields),
            ChangeKind.Action => Change.Action(id, stamp, Domain.Collection, Domain.Record, baseVersion, action, fields.Take(1)),
            _ => Change.Delete(id, stamp, Domain.Collection, Domain.Record, baseVersion),
        };

    /// <summary>Any single change, every value kind included (codec properties).</summary>
    public static Gen<Change> AnyChange { get; } =
        from origin in ValueGenerators.Replica
        from sequence in Gen.Frequency((4, Gen.Choose(1, 6).Select(s => (long)s)), (1, ValueGenerators.Int64.Where(s => s > 0)))
        from change in ChangeWithId(new ChangeId(origin, sequence), 2, ValueGenerators.Value)
        select change;

    /// <summary>
    /// An arbitrary set of changes to one record, with distinct ids (sequences 1 to 6 per replica, gaps allowed).
    /// Deletes are rare in most sets and absent in many, so field merging is exercised as much as deletion.
    /// </summary>
    public static Gen<Change[]> ArbitrarySet { get; } =
        from deleteWeight in Gen.Elements(0, 0, 1, 2)
        from ids in Gen.CollectToArray(Domain.Replicas, replica => Gen.SubListOf(Enumerable.Range(1, 6)).Select(seqs => seqs.Select(s => new ChangeId(replica, s)).ToArray()))
        from changes in Gen.CollectToArray(ids.SelectMany(x => x), id => ChangeWithId(id, deleteWeight, ValueGenerators.SmallValue))
        select changes;

    /// <summary>Shrinks a change set by dropping one change at a time.</summary>
    public static IEnumerable<Change[]> ShrinkSet(Change[] changes)
    {
        for (var i = 0; i < changes.Length; i++)
        {
            yield return [.. changes[..i], .. changes[(i + 1)..]];
        }
    }

    /// <summary>A change set described one change per line, for counterexamples.</summary>
    public static string Describe(IEnumerable<Change> changes) =>
        "[\n  " + ValueGenerators.Describe(changes.Select(DescribeChange)) + "\n]";

    /// <summary>One change, with its stamp, base and fields.</summary>
    public static string DescribeChange(Change change) =>
        $"{change.Kind} #{change.Id.Origin.Low}.{change.Id.Sequence} at {change.Stamp.Milliseconds - Domain.StartMilliseconds}.{change.Stamp.Counter} base {DescribeVersion(change.Base)}" +
        (change.Fields.Count == 0 ? string.Empty : " {" + string.Join(", ", change.Fields.Select(f => $"{f.Name}={Short(f.Value)}")) + "}");

    /// <summary>A version vector with replica numbers instead of 32 hex digits.</summary>
    public static string DescribeVersion(VersionVector version) =>
        "{" + string.Join(",", version.Select(e => $"{e.Key.Low}:{e.Value}")) + "}";

    private static string Short(Value value)
    {
        var text = value.Kind switch
        {
            ValueKind.Timestamp => $"@{value.AsTimestampMilliseconds}ms",
            ValueKind.Float64 => $"f{BitConverter.DoubleToInt64Bits(value.AsFloat64):x}",
            _ => value.ToString(),
        };
        return text.Length > 24 ? text[..24] + "…" : text;
    }
}
