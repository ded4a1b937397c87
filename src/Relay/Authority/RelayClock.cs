using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// The relay's identity and hybrid logical clock. The clock observes every accepted change's stamp and stamps
/// action effects, so an effect beats every concurrent edit the relay had accepted before it. Used only inside
/// the store's write transaction, which serializes it.
/// </summary>
internal sealed class RelayClock
{
    private HybridLogicalClock? _clock;

    public ReplicaId ReplicaId => Clock.Replica;

    public HybridLogicalClock Clock => _clock ?? throw new InvalidOperationException("The relay is not initialized.");

    public void Initialize(ReplicaId replica, ulong lastTime, TimeProvider time, TimeSpan clockSkewMax) =>
        _clock = new HybridLogicalClock(replica, time, lastTime, clockSkewMax);
}
