using CrdtSync.Peers.Tests.Support;

namespace CrdtSync.Peers.Tests.Discovery;

/// <summary>The team secret of the test nodes and one of another team.</summary>
internal static class PeerNodeSecrets
{
    public const string Team = PeerNode.TeamSecret;

    public const string Stranger = "another-team-entirely-42";
}
