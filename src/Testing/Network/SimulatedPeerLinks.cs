using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using Google.Protobuf;
using CrdtSync.Replica;
using CrdtSync.Replica.Peers;

namespace CrdtSync.Testing.Network;

/// <summary>
/// The LAN between the simulated replicas: which peer links are cut, and one anti-entropy round over a link. The round is
/// <c>PeerClient</c>'s algorithm on the real change stores (pull pages with this replica's contiguous vector, then push
/// what the peer's vector misses), every message through its protobuf bytes; only the gRPC call is left out.
/// </summary>
internal sealed class SimulatedPeerLinks(SimulationCounters counters)
{
    /// <summary>Small pages, so a round usually takes several messages.</summary>
    public const int PageCountMax = 5;

    private readonly HashSet<(int, int)> _cut = [];

    /// <summary>Every change a replica took in from a peer, by replica: its id and record (the refused ones among them matter to the checks).</summary>
    public Dictionary<int, Dictionary<ChangeId, (CollectionName Collection, RecordId Record)>> Received { get; } = [];

    /// <summary>Cuts or heals a link; true when a cut link healed.</summary>
    public bool SetCut(int replica, int peer, bool cut)
    {
        if (cut)
        {
            _cut.Add(Key(replica, peer));
            return false;
        }

        return _cut.Remove(Key(replica, peer));
    }

    /// <summary>Heals every link; returns how many were cut.</summary>
    public int HealAll()
    {
        var healed = _cut.Count;
        _cut.Clear();
        return healed;
    }

    /// <summary>One round between <paramref name="self"/> and <paramref name="peer"/>; the number of change ids that moved, or null when the link is cut.</summary>
    public async Task<int?> SyncAsync(int selfIndex, ReplicaStore self, int peerIndex, ReplicaStore peer)
    {
        if (_cut.Contains(Key(selfIndex, peerIndex)))
        {
            counters.PeerPartitionedCalls++;
            return null;
        }

        var moved = await MoveAsync(peer, selfIndex, self).ConfigureAwait(false);
        moved += await MoveAsync(self, peerIndex, peer).ConfigureAwait(false);
        counters.PeerSyncs++;
        return moved;
    }

    /// <summary>Pages from <paramref name="from"/> what <paramref name="to"/>'s contiguous vector misses, until nothing more moves.</summary>
    private async Task<int> MoveAsync(ReplicaStore from, int toIndex, ReplicaStore to)
    {
        var moved = 0;
        while (true)
        {
            var theirs = PeerVector.Parser.ParseFrom(PeerWire.ToWire(await to.GetPeerVersionAsync().ConfigureAwait(false)).ToByteArray());
            var set = await from.GetPeerChangesAsync(PeerWire.FromWire(theirs), PageCountMax).ConfigureAwait(false);
            if (set.Count == 0)
            {
                return moved;
            }

            var received = PeerWire.FromWire(PeerChanges.Parser.ParseFrom(PeerWire.ToWire(set).ToByteArray()));
            var report = await to.ApplyPeerChangesAsync(received).ConfigureAwait(false);
            moved += report.Applied;
            counters.PeerChangesReceived += report.Applied;
            counters.PeerChangesTooFarAhead += report.TooFarAhead;
            if (!Received.TryGetValue(toIndex, out var ids))
            {
                Received.Add(toIndex, ids = []);
            }

            foreach (var change in received.Changes)
            {
                ids[change.Id] = (change.Collection, change.RecordId);
            }
            if (!set.More || report.Applied == 0)
            {
                return moved;
            }
        }
    }

    private static (int, int) Key(int a, int b) => a < b ? (a, b) : (b, a);
}
