using CrdtSync.Testing.Schedules;

namespace CrdtSync.Testing.Network;

/// <summary>
/// The network between the replicas and the relay: per link a partition flag and the fault armed for its next call,
/// and the requests held back (delayed) to be delivered later, after newer ones.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly Dictionary<int, (NetworkFault Fault, NetworkCall Call)> _armed = [];
    private readonly HashSet<int> _partitioned = [];

    /// <summary>Held-back requests: each delivers its request to the relay when run (its response goes nowhere).</summary>
    public List<Func<Task>> Delayed { get; } = [];

    public bool IsPartitioned(int link) => _partitioned.Contains(link);

    /// <summary>Cuts or heals a link; true when a partition was healed.</summary>
    public bool SetPartitioned(int link, bool partitioned)
    {
        if (partitioned)
        {
            _partitioned.Add(link);
            return false;
        }

        return _partitioned.Remove(link);
    }

    public void Arm(int link, NetworkFault fault, NetworkCall call) => _armed[link] = (fault, call);

    /// <summary>The fault armed for this call, if it waits for a call of this kind (it is then used up).</summary>
    public NetworkFault? TakeFault(int link, NetworkCall call)
    {
        if (_armed.TryGetValue(link, out var armed) && (armed.Call == NetworkCall.Any || armed.Call == call))
        {
            _armed.Remove(link);
            return armed.Fault;
        }

        return null;
    }

    /// <summary>Heals every partition and forgets armed faults; returns how many partitions healed.</summary>
    public int HealAll()
    {
        var healed = _partitioned.Count;
        _partitioned.Clear();
        _armed.Clear();
        return healed;
    }
}
