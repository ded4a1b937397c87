namespace CrdtSync.Crdt.Versions;

/// <summary>How two version vectors relate in the partial order of causality.</summary>
public enum VersionOrder
{
    /// <summary>Both have seen exactly the same changes.</summary>
    Equal,
    /// <summary>The left one has seen a strict subset of what the right one has.</summary>
    Before,
    /// <summary>The left one has seen a strict superset of what the right one has.</summary>
    After,
    /// <summary>Each has seen something the other has not.</summary>
    Concurrent,
}
