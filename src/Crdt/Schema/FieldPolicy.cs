namespace CrdtSync.Crdt.Schema;

/// <summary>How concurrent writes of a field are settled.</summary>
public enum FieldPolicy
{
    /// <summary>Merge automatically: the greater stamp wins; the overwritten value stays in the journal and the log.</summary>
    Lww,
    /// <summary>A write that is concurrent with the field's current writer (and changes its value) is a conflict the user resolves.</summary>
    Manual,
    /// <summary>Only actions change the field; a plain edit is invalid (a create may set it to its initial value only).</summary>
    Guarded,
}
