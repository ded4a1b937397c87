using CrdtSync.Crdt.Records;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// The answer to one pushed change: its outcome (the first one recorded for its id), for an accepted change the
/// encoded changes committed for it (the change, and for an action the relay's effect change), for a refusal the
/// record's current state when the caller may read it.
/// </summary>
public sealed record PushResult(StoredOutcome Outcome, IReadOnlyList<byte[]> Committed, RecordState? CurrentState, bool Repeated);
