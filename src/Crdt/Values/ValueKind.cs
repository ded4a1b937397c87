namespace CrdtSync.Crdt.Values;

/// <summary>The kinds of value a field holds. The numeric order is the first key of the value order.</summary>
public enum ValueKind : byte
{
    /// <summary>No value.</summary>
    Null = 0,
    /// <summary>true or false.</summary>
    Bool = 1,
    /// <summary>A signed 64-bit integer.</summary>
    Int64 = 2,
    /// <summary>An IEEE 754 double.</summary>
    Float64 = 3,
    /// <summary>A UTF-8 string.</summary>
    String = 4,
    /// <summary>A byte string.</summary>
    Bytes = 5,
    /// <summary>A point in time, milliseconds since the Unix epoch (UTC).</summary>
    Timestamp = 6,
}
