using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;

namespace CrdtSync.Crdt.Tests.Support;

/// <summary>Helpers for comparing states by their canonical encoding (what "equal records" means).</summary>
public static class StateBytes
{
    /// <summary>The canonical encoding of <paramref name="state"/>.</summary>
    public static byte[] Of(RecordState state) => RecordStateCodec.Encode(state);

    /// <summary>True when both states have the same canonical encoding.</summary>
    public static bool Equal(RecordState left, RecordState right) => Of(left).AsSpan().SequenceEqual(Of(right));

    /// <summary>A new state built by applying <paramref name="changes"/> in order.</summary>
    public static RecordState Build(IEnumerable<Change> changes) => RecordState.FromChanges(Domain.Collection, Domain.Record, changes);

    /// <summary>The merge of two states as a new state (neither input is changed).</summary>
    public static RecordState Merge(RecordState left, RecordState right)
    {
        var result = left.Clone();
        result.MergeFrom(right);
        return result;
    }

    /// <summary>
    /// The changes in a seeded random order, with some of them repeated (a delivery network that reorders and
    /// duplicates).
    /// </summary>
    public static List<Change> ShuffledWithDuplicates(IReadOnlyList<Change> changes, int seed)
    {
        var random = new Random(seed);
        var delivered = new List<Change>(changes);
        foreach (var change in changes)
        {
            if (random.Next(3) == 0)
            {
                delivered.Add(change);
            }
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(delivered));
        return delivered;
    }

    /// <summary>A seeded random subset of <paramref name="changes"/> (each kept with probability 1/2).</summary>
    public static List<Change> Subset(IReadOnlyList<Change> changes, Random random) => changes.Where(_ => random.Next(2) == 0).ToList();

    /// <summary>A human-readable diff aid: both states' fields, tombstone and journal.</summary>
    public static string Describe(RecordState state) =>
        $"version {ChangeGenerators.DescribeVersion(state.Version)}, tombstone {(state.Tombstone is { } t ? $"#{t.DeletedBy.Origin.Low}.{t.DeletedBy.Sequence}" : "none")}, " +
        $"fields {{{string.Join(", ", state.SortedFields().Select(f => $"{f.Key}={f.Value.Value}@#{f.Value.Writer.Origin.Low}.{f.Value.Writer.Sequence} seen {ChangeGenerators.DescribeVersion(f.Value.Seen)}"))}}}, " +
        $"journal [{string.Join(", ", state.Journal.Select(j => $"{j.Field}={j.Value}@#{j.Writer.Origin.Low}.{j.Writer.Sequence}"))}]";
}
