using CrdtSync.Crdt.Records;
using CrdtSync.Replica.Outbox;

namespace CrdtSync.Replica.Storage;

/// <summary>A row of <c>records</c>: the confirmed state (null when only local changes made it), the visible state and its status.</summary>
internal sealed record StoredRecord(RecordState? Confirmed, byte[]? ConfirmedBytes, RecordState Visible, byte[] VisibleBytes, RecordStatus Status);
