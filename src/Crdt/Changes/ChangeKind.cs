namespace CrdtSync.Crdt.Changes;

/// <summary>What a change does to its record.</summary>
public enum ChangeKind : byte
{
    /// <summary>Writes fields (a create is an upsert of a new record id). Merges automatically.</summary>
    Upsert = 0,
    /// <summary>A named, guarded action (close, reopen, assign, ...). An authority decides it; its effects arrive as the authority's own change.</summary>
    Action = 1,
    /// <summary>Deletes the record: a guarded action with the built-in guard "exists and not changed concurrently". Once merged, the tombstone absorbs the record.</summary>
    Delete = 2,
}
