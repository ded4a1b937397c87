using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("CrdtSync.Peers.Tests")]
[assembly: InternalsVisibleTo("CrdtSync.PeerBench")]
