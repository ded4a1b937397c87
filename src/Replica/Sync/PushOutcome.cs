using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// The relay's answer to one pushed change. For <see cref="OutcomeKind.Accepted"/>: the log sequence and the
/// canonical bytes of every change the relay committed for it (the change itself and, for an action, the
/// relay's effect change), merged into the confirmed state in the same transaction that removes the entry.
/// For a refusal: the machine reason, a message a person understands, and the relay's current record state
/// (<c>RecordStateCodec</c> bytes) when it sent one.
/// </summary>
public sealed record PushOutcome(
    ChangeId ChangeId,
    OutcomeKind Outcome,
    string Reason,
    string Message,
    ReadOnlyMemory<byte>? AuthorityState = null,
    long? LogSequence = null,
    IReadOnlyList<ReadOnlyMemory<byte>>? CommittedChanges = null);
