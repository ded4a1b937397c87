using CrdtSync.Crdt.Records;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// A record as the relay keeps it: its merged state and, once deleted, its last state before the delete
/// (<see cref="LastLive"/>), by which record filters still decide who may see its tombstone.
/// </summary>
public sealed record StoredRecord(RecordState State, RecordState? LastLive)
{
    /// <summary>The state whose field values decide who may read the record.</summary>
    public RecordState VisibleBy => State.IsDeleted && LastLive is not null ? LastLive : State;
}
