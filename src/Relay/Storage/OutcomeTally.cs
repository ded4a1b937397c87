using CrdtSync.Crdt.Schema;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// How many pushed changes were decided with <see cref="Kind"/> during the minute starting at <see cref="Minute"/>
/// (UTC, whole minute). Re-pushes answered with a stored outcome are not counted: a change is decided once.
/// </summary>
public readonly record struct OutcomeTally(DateTimeOffset Minute, OutcomeKind Kind, long Count);
