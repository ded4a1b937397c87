namespace CrdtSync.Crdt.Schema;

/// <summary>The declared type of a field. <see cref="Any"/> accepts every value kind.</summary>
public enum FieldType
{
    /// <summary>Any value kind.</summary>
    Any,
    /// <summary>Strings.</summary>
    String,
    /// <summary>64-bit integers.</summary>
    Int64,
    /// <summary>Doubles (integers are accepted too and stored as given).</summary>
    Float64,
    /// <summary>Booleans.</summary>
    Bool,
    /// <summary>Timestamps.</summary>
    Timestamp,
    /// <summary>Byte strings.</summary>
    Bytes,
}
