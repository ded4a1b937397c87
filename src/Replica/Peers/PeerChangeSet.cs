using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Versions;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// What one peer sends another in one message: shareable changes (plain upserts, canonical) and the ids of changes that
/// exist but are not shared among peers (guarded actions and deletes, which wait for a relay, or an own change no longer
/// held). Together they let the receiver advance its per-origin contiguous vector without holes.
/// </summary>
/// <param name="Changes">Plain upserts, per origin in sequence order.</param>
/// <param name="Skipped">Change ids the sender will never share among peers (the relay delivers them, if it accepts them).</param>
/// <param name="More">True when the sender had more to send than fitted in this message.</param>
public sealed record PeerChangeSet(IReadOnlyList<Change> Changes, IReadOnlyList<ChangeId> Skipped, bool More = false)
{
    /// <summary>A set with nothing in it.</summary>
    public static PeerChangeSet Empty { get; } = new([], []);

    /// <summary>How many change ids (shared or skipped) the set covers.</summary>
    public int Count => Changes.Count + Skipped.Count;
}
