namespace CrdtSync.Crdt.Schema;

/// <summary>The authority's answer to one pushed change (DESIGN.md §3).</summary>
public enum OutcomeKind
{
    /// <summary>Checks passed; committed to the log.</summary>
    Accepted,
    /// <summary>An action's guard no longer holds, or a <c>manual</c> field was written concurrently. Resolvable.</summary>
    Conflict,
    /// <summary>A schema or validation rule fails. Resolvable by editing the change.</summary>
    Invalid,
    /// <summary>The record was deleted. Discard only.</summary>
    Deleted,
    /// <summary>The author lacks the permission. Discard only.</summary>
    Forbidden,
    /// <summary>The change's stamp is too far ahead of the authority's clock. Re-stamp and retry.</summary>
    ClockSkew,
}
