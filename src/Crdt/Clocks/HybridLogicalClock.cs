using CrdtSync.Crdt.Errors;

namespace CrdtSync.Crdt.Clocks;

/// <summary>
/// A hybrid logical clock owned by one replica. Time comes from an injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Laws:
/// <list type="bullet">
/// <item>Strictly monotonic: every <see cref="Next"/> is greater than every stamp this clock issued or
/// observed before, whatever the wall clock does (steps back, stands still, jumps forward).</item>
/// <item>Close to the wall clock: when the wall clock is ahead of everything seen, the next stamp takes
/// its milliseconds with counter 0.</item>
/// <item>Never wraps: when the counter would pass 65535 within one millisecond, <see cref="Next"/> throws
/// <see cref="ClockException"/> and the clock is unchanged.</item>
/// <item>Never pulled into the future: <see cref="Observe"/> refuses a stamp more than
/// <see cref="ClockSkewMax"/> ahead of the local wall clock and leaves the clock unchanged.</item>
/// </list>
/// Not thread-safe: one owner serializes calls.
/// </remarks>
public sealed class HybridLogicalClock
{
    private readonly TimeProvider _time;
    private ulong _last;

    /// <summary>Creates a clock for <paramref name="replica"/>, resuming after <paramref name="lastTime"/> (a packed time, 0 for a new replica).</summary>
    public HybridLogicalClock(ReplicaId replica, TimeProvider time, ulong lastTime = 0, TimeSpan? clockSkewMax = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        Replica = replica;
        _time = time;
        _last = lastTime;
        ClockSkewMax = clockSkewMax ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>The replica that owns this clock.</summary>
    public ReplicaId Replica { get; }

    /// <summary>How far ahead of the local wall clock an observed stamp may be.</summary>
    public TimeSpan ClockSkewMax { get; }

    /// <summary>The packed time of the greatest stamp issued or observed.</summary>
    public ulong LastTime => _last;

    /// <summary>Issues the next stamp.</summary>
    /// <exception cref="ClockException">The counter would overflow, or the wall clock is out of range.</exception>
    public Stamp Next()
    {
        var wall = WallMilliseconds();
        var lastMilliseconds = (long)(_last >> 16);
        ulong next;
        if (wall > lastMilliseconds)
        {
            next = (ulong)wall << 16;
        }
        else
        {
            if ((_last & 0xFFFF) == Stamp.MaxCounter)
            {
                throw new ClockException(
                    $"The clock's counter is exhausted at millisecond {lastMilliseconds} (65,536 stamps in one millisecond, or a clock far behind a stamp it has seen). Wait for the wall clock to advance.");
            }

            next = _last + 1;
        }

        _last = next;
        return new Stamp(next, Replica);
    }

    /// <summary>
    /// Takes a stamp seen from elsewhere into account, so the next local stamp is greater.
    /// Returns false, leaving the clock unchanged, when the stamp is more than
    /// <see cref="ClockSkewMax"/> ahead of the local wall clock. An accepted stamp whose counter is
    /// 65535 makes <see cref="Next"/> refuse until the wall clock passes its millisecond (at most
    /// <see cref="ClockSkewMax"/>): the clock never wraps.
    /// </summary>
    /// <exception cref="ClockException">The wall clock is outside the range a stamp can hold.</exception>
    public bool Observe(Stamp seen)
    {
        if (seen.Time <= _last)
        {
            return true;
        }

        var ahead = seen.Milliseconds - WallMilliseconds();
        if (ahead > (long)ClockSkewMax.TotalMilliseconds)
        {
            return false;
        }

        _last = seen.Time;
        return true;
    }

    private long WallMilliseconds()
    {
        var milliseconds = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (milliseconds < 0 || milliseconds > Stamp.MaxMilliseconds)
        {
            throw new ClockException($"The wall clock reads {milliseconds} ms since the Unix epoch, outside the range a stamp can hold.");
        }

        return milliseconds;
    }
}
