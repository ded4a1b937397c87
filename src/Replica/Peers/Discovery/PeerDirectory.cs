using System.Net;
using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>
/// The peers a replica knows: the manual list, and those heard announcing within <see cref="PeerDiscoveryOptions.AnnouncementLifetime"/>.
/// Thread-safe; time comes from the <see cref="TimeProvider"/> given.
/// </summary>
public sealed class PeerDirectory
{
    private readonly Lock _lock = new();
    private readonly List<Uri> _listed;
    private readonly Dictionary<ReplicaId, (Uri Address, DateTimeOffset HeardAt)> _announced = [];
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    /// <summary>Creates a directory holding <paramref name="listed"/>.</summary>
    public PeerDirectory(IEnumerable<Uri> listed, TimeSpan announcementLifetime, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(listed);
        _listed = [.. listed.Distinct()];
        _lifetime = announcementLifetime;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Records an announcement; true when it named a peer (or an address) not known before, so a sync round is worth
    /// starting now.
    /// </summary>
    public bool Heard(ReplicaId replica, Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var fresh = !_announced.TryGetValue(replica, out var known) || known.Address != address || now - known.HeardAt > _lifetime;
            _announced[replica] = (address, now);
            return fresh && !_listed.Contains(address);
        }
    }

    /// <summary>The addresses to sync with now: the listed ones, then the announced ones still alive, each once.</summary>
    public IReadOnlyList<Uri> Current()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var gone in _announced.Where(a => now - a.Value.HeardAt > _lifetime).Select(a => a.Key).ToArray())
            {
                _announced.Remove(gone);
            }

            return [.. _listed.Concat(_announced.OrderBy(a => a.Key).Select(a => a.Value.Address)).Distinct()];
        }
    }

    /// <summary>The replicas heard announcing and still alive, with their addresses.</summary>
    public IReadOnlyDictionary<ReplicaId, Uri> Announced()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            return _announced.Where(a => now - a.Value.HeardAt <= _lifetime).ToDictionary(a => a.Key, a => a.Value.Address);
        }
    }

    /// <summary>
    /// True when this replica may call <paramref name="address"/>: over TLS, on loopback, or anywhere when the team allowed
    /// cleartext (the team secret travels in every call).
    /// </summary>
    public static bool IsCallable(Uri address, bool allowInsecureRemote)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Scheme == Uri.UriSchemeHttps
            || allowInsecureRemote
            || (address.Scheme == Uri.UriSchemeHttp && (address.IsLoopback || (IPAddress.TryParse(address.Host, out var ip) && IPAddress.IsLoopback(ip))));
    }
}
