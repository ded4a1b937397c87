using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Storage;

/// <summary>One entry to append to the log: the record it changes and the change's canonical bytes (stored as they are).</summary>
public readonly record struct LogAppend(CollectionName Collection, RecordId RecordId, byte[] Change);
