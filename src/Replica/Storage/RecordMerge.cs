using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Replica.Storage;

/// <summary>
/// What one transaction merges into confirmed states from elsewhere: changes (pulled, or committed for an accepted push),
/// whole record states (snapshot pages, the relay's state sent with a refusal), and records whose outbox entries changed
/// otherwise (a refusal): each touched record is loaded, merged and written once.
/// </summary>
internal sealed class RecordMerge
{
    private readonly HashSet<(CollectionName, RecordId)> _recompute = [];

    public RecordMerge(List<Change>? changes = null, List<RecordState>? states = null)
    {
        Changes = changes ?? [];
        States = states ?? [];
    }

    public List<Change> Changes { get; }

    public List<RecordState> States { get; }

    /// <summary>Marks a record whose entries changed status or were removed here: it is recomputed from its entries.</summary>
    public void Recompute(CollectionName collection, RecordId id) => _recompute.Add((collection, id));

    public bool MustRecompute((CollectionName, RecordId) key) => _recompute.Contains(key);

    public IEnumerable<(CollectionName, RecordId)> RecomputeKeys => _recompute;
}
