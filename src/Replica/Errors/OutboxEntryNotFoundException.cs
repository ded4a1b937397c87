namespace CrdtSync.Replica.Errors;

/// <summary>No outbox entry has this id (it was accepted or discarded meanwhile).</summary>
public sealed class OutboxEntryNotFoundException : ReplicaException
{
    /// <summary>Creates the error.</summary>
    public OutboxEntryNotFoundException(long entryId)
        : base($"There is no outbox entry {entryId}: it was accepted by the relay or discarded. Reload the outbox.")
    {
        EntryId = entryId;
    }

    /// <summary>The entry asked for.</summary>
    public long EntryId { get; }
}
