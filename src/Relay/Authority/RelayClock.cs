using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// The relay's identity and hybrid logical clock. The clock observes every accepted change's stamp and stamps
/// action effects, so an effect beats every concurrent edit the relay had accepted before it. Write transactions
/// may run concurrently (PostgreSQL store), so every use of the clock takes a lock; across relay instances the
/// clock observes the last time saved in the database (<see cref="ObserveSaved"/>) before it stamps an effect.
/// </summary>
internal sealed class RelayClock
{
    private readonly Lock _lock = new();
    private HybridLogicalClock? _clock;

    public ReplicaId ReplicaId => Clock.Replica;

    public HybridLogicalClock Clock => _clock ?? throw new InvalidOperationException("The relay is not initialized.");

    /// <summary>The packed time of the greatest stamp issued or observed.</summary>
    public ulong LastTime
    {
        get
        {
            lock (_lock)
            {
                return Clock.LastTime;
            }
        }
    }

    public void Initialize(ReplicaId replica, ulong lastTime, TimeProvider time, TimeSpan clockSkewMax) =>
        _clock = new HybridLogicalClock(replica, time, lastTime, clockSkewMax);

    /// <summary>Observes a stamp (an accepted change's).</summary>
    public bool Observe(Stamp stamp)
    {
        lock (_lock)
        {
            return Clock.Observe(stamp);
        }
    }

    /// <summary>Observes the last time saved by any relay instance sharing the database.</summary>
    public void ObserveSaved(ulong lastTime)
    {
        lock (_lock)
        {
            Clock.Observe(new Stamp(lastTime, Clock.Replica));
        }
    }

    /// <summary>Issues the next relay stamp.</summary>
    public Stamp Next()
    {
        lock (_lock)
        {
            return Clock.Next();
        }
    }
}
