namespace CrdtSync.Crdt.Records;

/// <summary>What applying one change did to a record. Expected outcomes are values, not exceptions.</summary>
public enum ApplyOutcome
{
    /// <summary>At least one field took the change's value, or the change deleted the record.</summary>
    Applied,
    /// <summary>The change was new, but every field it wrote already holds a greater write (its values went to the journal or were knowingly overwritten).</summary>
    Superseded,
    /// <summary>An action was recorded in the record's version; its effects arrive as the authority's own change.</summary>
    Recorded,
    /// <summary>The record is deleted: the tombstone absorbed the change (nothing resurrects).</summary>
    Absorbed,
    /// <summary>Nothing changed: the change had been applied before (a duplicate).</summary>
    AlreadyKnown,
}
