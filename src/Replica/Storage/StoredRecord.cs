using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Storage;

/// <summary>
/// A row of <c>records</c>: the confirmed state (null when only local changes made it), the visible state and its
/// status. The states are decoded on first use (a local write needs only the visible one, a pull only the confirmed one).
/// </summary>
internal sealed class StoredRecord(CollectionName collection, RecordId id, byte[]? confirmedBytes, byte[]? visibleBytes, RecordStatus status)
{
    private RecordState? _confirmed;
    private RecordState? _visible;

    public RecordStatus Status { get; } = status;

    /// <summary>The visible state's bytes as stored (the confirmed bytes when no entry is applied).</summary>
    public byte[] VisibleBytes { get; } = visibleBytes ?? confirmedBytes ?? RecordStateCodec.Encode(new RecordState(collection, id));

    /// <summary>The confirmed state, decoded once; callers may merge into it.</summary>
    public RecordState? Confirmed => confirmedBytes is null ? null : _confirmed ??= RecordStateCodec.Decode(confirmedBytes);

    /// <summary>The visible state as stored, decoded once.</summary>
    public RecordState Visible => _visible ??= RecordStateCodec.Decode(VisibleBytes);
}
