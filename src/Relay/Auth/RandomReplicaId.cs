using System.Security.Cryptography;
using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Relay.Auth;

/// <summary>Replica ids from the system's cryptographic random source (never the all-zero id).</summary>
internal static class RandomReplicaId
{
    public static ReplicaId Create()
    {
        ReplicaId id;
        do
        {
            id = ReplicaId.FromBytes(RandomNumberGenerator.GetBytes(ReplicaId.Size));
        }
        while (id.IsEmpty);
        return id;
    }
}
