using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Storage;

/// <summary>
/// What the relay last saw of a device (recorded for the relay console): when it last completed a handshake, and the
/// last log cursor that went between them (asked for in a pull, or sent in a page) and when. Null parts are unknown
/// and leave what is stored unchanged.
/// </summary>
/// <remarks>
/// Saving merges: the later handshake is kept; the cursor seen at the later time is kept (at the same time, the greater cursor), so
/// saving the same notes in any order gives the same row.
/// </remarks>
public sealed record DeviceActivity(ReplicaId ReplicaId, DateTimeOffset? LastHandshakeAt, long? Cursor, DateTimeOffset? CursorAt)
{
    /// <summary>
    /// The merge a store applies when saving: the later handshake; the cursor seen later (at the same time, the greater).
    /// Commutative, associative and idempotent, so notes can be batched and saved in any order.
    /// </summary>
    public DeviceActivity MergedWith(DeviceActivity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ReplicaId != ReplicaId)
        {
            throw new ArgumentException("Only the activity of one device merges.", nameof(other));
        }

        var handshake = Later(LastHandshakeAt, other.LastHandshakeAt);
        var mine = Cursor is not null && CursorAt is not null;
        var theirs = other.Cursor is not null && other.CursorAt is not null;
        var takeTheirs = theirs && (!mine || other.CursorAt > CursorAt || (other.CursorAt == CursorAt && other.Cursor > Cursor));
        return takeTheirs
            ? new DeviceActivity(ReplicaId, handshake, other.Cursor, other.CursorAt)
            : new DeviceActivity(ReplicaId, handshake, mine ? Cursor : null, mine ? CursorAt : null);
    }

    private static DateTimeOffset? Later(DateTimeOffset? left, DateTimeOffset? right) =>
        left is null ? right : right is null ? left : left > right ? left : right;
}
