using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Testing.Checks;

/// <summary>The outbox entries the simulated users made, the change ids each carried (a retry gives a new one), and which the users discarded.</summary>
internal sealed class EntryTracker
{
    private readonly Dictionary<(int Replica, long Entry), List<(ChangeId Id, CollectionName Collection, RecordId Record)>> _changes = [];
    private readonly HashSet<(int, long)> _discarded = [];

    public void Saw(int replica, long entry, ChangeId id, CollectionName collection, RecordId record)
    {
        if (!_changes.TryGetValue((replica, entry), out var list))
        {
            _changes.Add((replica, entry), list = []);
        }

        if (!list.Any(c => c.Id == id))
        {
            list.Add((id, collection, record));
        }
    }

    public void Discarded(int replica, long entry) => _discarded.Add((replica, entry));

    public bool IsDiscarded(int replica, long entry) => _discarded.Contains((replica, entry));

    public IEnumerable<(long Entry, IReadOnlyList<(ChangeId Id, CollectionName Collection, RecordId Record)> Ids)> ChangesOf(int replica) =>
        _changes.Where(c => c.Key.Replica == replica).OrderBy(c => c.Key.Entry).Select(c => (c.Key.Entry, (IReadOnlyList<(ChangeId, CollectionName, RecordId)>)c.Value));
}
