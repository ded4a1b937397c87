namespace CrdtSync.Crdt.Records;

/// <summary>
/// When a record that is not deleted exists: once a change was merged into it, unless it has fields and none of them
/// holds a value. A record whose every field is null is indistinguishable from no record, and that is how a refused
/// create vanishes again on the replicas that merged it: the relay's compensation writes null to every field the create
/// wrote (docs/design/merge.md, "Existence").
/// </summary>
internal static class RecordPresence
{
    /// <summary>True when <paramref name="entries"/> is empty or one of them holds a non-null value.</summary>
    public static bool HasNoFieldOrAValue(ReadOnlySpan<FieldEntry> entries)
    {
        if (entries.IsEmpty)
        {
            return true;
        }

        foreach (ref readonly var entry in entries)
        {
            if (!entry.Value.IsNull)
            {
                return true;
            }
        }

        return false;
    }
}
