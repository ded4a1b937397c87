using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// The first outcome decided for a change, kept by change id so that a re-push gets the same answer.
/// <see cref="LogSequence"/> and <see cref="EffectSequence"/> are 0 when there is no such log entry. For a refused upsert,
/// <see cref="EffectSequence"/> is the relay's compensating change, when it committed one.
/// </summary>
public sealed record StoredOutcome(
    ChangeId Id,
    CollectionName Collection,
    RecordId RecordId,
    OutcomeKind Kind,
    string Reason,
    string Message,
    string? Field,
    long LogSequence,
    long EffectSequence);
