using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Tests.Model;

/// <summary>
/// The replica as a simple in-memory model: a confirmed state per record, a list of outbox entries, and a cursor.
/// Visible = confirmed + queued/in-flight entries (an action with its effects); status = the worst entry.
/// </summary>
internal sealed class ReplicaModel
{
    public sealed class Entry(long entryId, Change change, EntryStatus status)
    {
        public long EntryId { get; } = entryId;
        public Change Change { get; set; } = change;
        public EntryStatus Status { get; set; } = status;
        public bool IsApplied => Status is EntryStatus.Queued or EntryStatus.InFlight;
        public bool IsError => Status >= EntryStatus.Conflict;
    }

    public Dictionary<RecordId, RecordState> Confirmed { get; } = [];

    public List<Entry> Entries { get; } = [];

    public long Cursor { get; set; }

    public bool HasRow(RecordId id) => Confirmed.ContainsKey(id) || Entries.Exists(e => e.Change.RecordId == id);

    public IEnumerable<Entry> EntriesOf(RecordId id) => Entries.Where(e => e.Change.RecordId == id);

    public RecordState Visible(RecordId id)
    {
        var state = Confirmed.TryGetValue(id, out var confirmed) ? confirmed.Clone() : new RecordState("tasks", id);
        foreach (var entry in EntriesOf(id).Where(e => e.IsApplied))
        {
            if (entry.Change.Kind == ChangeKind.Action)
            {
                state.Apply(Change.Upsert(entry.Change.Id, entry.Change.Stamp, entry.Change.Collection, id, entry.Change.Base, Effects(entry.Change.ActionName!.Value)));
            }

            state.Apply(entry.Change);
        }

        return state;
    }

    public RecordStatus Status(RecordId id)
    {
        var status = RecordStatus.Synced;
        foreach (var entry in EntriesOf(id))
        {
            var s = entry.Status switch
            {
                EntryStatus.Queued or EntryStatus.InFlight => RecordStatus.Pending,
                EntryStatus.Deleted or EntryStatus.Forbidden => RecordStatus.Error,
                _ => RecordStatus.Conflict,
            };
            status = s > status ? s : status;
        }

        return status;
    }

    /// <summary>The effects of the sample's task actions, as the replica shows them before the relay answers.</summary>
    public static FieldValue[] Effects(ActionName action) => action.Text switch
    {
        "start" => [new("state", Value.String("doing"))],
        "finish" => [new("done", Value.Bool(true)), new("state", Value.String("done"))],
        _ => throw new ArgumentException($"No effects known for {action}"),
    };

    /// <summary>True when the sample's guard of <paramref name="action"/> holds on the state.</summary>
    /// <summary>The tasks guards; a task that never wrote its guarded <c>state</c> holds the initial value <c>todo</c>.</summary>
    public static bool GuardHolds(string action, RecordState state) =>
        (state.TryGetValue("state", out var written) ? written : Value.String("todo")) is var s &&
        s.Kind == ValueKind.String && (action == "start" ? s.AsString == "todo" : s.AsString is "todo" or "doing");

    public void Merge(Change change)
    {
        if (!Confirmed.TryGetValue(change.RecordId, out var state))
        {
            Confirmed[change.RecordId] = state = new RecordState(change.Collection, change.RecordId);
        }

        state.Apply(change);
    }

    public void Merge(RecordState authority)
    {
        if (!Confirmed.TryGetValue(authority.Id, out var state))
        {
            Confirmed[authority.Id] = state = new RecordState(authority.Collection, authority.Id);
        }

        state.MergeFrom(authority);
    }

    public void RemoveEntryOf(ChangeId id) => Entries.RemoveAll(e => e.Change.Id == id);
}
