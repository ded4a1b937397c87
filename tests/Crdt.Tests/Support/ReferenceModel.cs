using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Crdt.Tests.Support;

/// <summary>
/// The record state written straight from its definition in <see cref="RecordState"/>'s summary, as a
/// function of the SET of changes (no order, no incremental bookkeeping), to check the real one against.
/// </summary>
public static class ReferenceModel
{
    /// <summary>The state the set of <paramref name="changes"/> defines (duplicates by change id ignored).</summary>
    public static RecordState StateOf(CollectionName collection, RecordId id, IEnumerable<Change> changes)
    {
        var distinct = changes.DistinctBy(c => c.Id).ToList();
        var version = VersionVector.From(distinct.Select(c => new KeyValuePair<ReplicaId, long>(c.Id.Origin, c.Id.Sequence)));
        var deletes = distinct.Where(c => c.Kind == ChangeKind.Delete).Select(c => new Tombstone(c.Stamp, c.Id)).ToList();
        if (deletes.Count > 0)
        {
            return RecordState.FromParts(collection, id, version, deletes.Max(), [], []);
        }

        var fields = new List<KeyValuePair<FieldName, FieldEntry>>();
        var journal = new List<JournalEntry>();
        var writesByField = distinct
            .Where(c => c.Kind == ChangeKind.Upsert)
            .SelectMany(c => c.Fields.Select(f => (Field: f.Name, Write: new FieldEntry(f.Value, c.Stamp, c.Id, c.Base))))
            .GroupBy(w => w.Field);
        foreach (var group in writesByField)
        {
            var writes = group.Select(w => w.Write).ToList();
            var winner = writes.Aggregate((a, b) => FieldEntry.CompareWrites(a.Value, a.Stamp, a.Writer, b.Value, b.Stamp, b.Writer) >= 0 ? a : b);
            var seen = writes.Aggregate(VersionVector.Empty, (v, w) => v.Merge(w.Seen));
            fields.Add(new(group.Key, winner with { Seen = seen }));
            journal.AddRange(writes
                .Where(w => w.Writer != winner.Writer && !seen.Includes(w.Writer))
                .Select(w => new JournalEntry(group.Key, w.Value, w.Stamp, w.Writer)));
        }

        journal.Sort();
        return RecordState.FromParts(collection, id, version, null, fields, journal);
    }
}
