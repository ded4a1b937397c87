using CrdtSync.Crdt.Clocks;
using CrdtSync.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrdtSync.Replica.Peers;

/// <summary>The gRPC <c>crdtsync.v1.Peer</c> service: a thin adapter over the store's peer operations.</summary>
internal sealed class PeerService(ReplicaStore replica, IOptions<PeerServerOptions> options, ILogger<PeerService> logger) : Protocol.V1.Peer.PeerBase
{
    public override Task<PeerHelloResponse> Hello(PeerHelloRequest request, ServerCallContext context) =>
        Task.FromResult(new PeerHelloResponse { ReplicaId = ByteString.CopyFrom(replica.ReplicaId.ToByteArray()), ProtocolVersion = PeerWire.ProtocolVersion });

    public override async Task<PeerPullResponse> Pull(PeerPullRequest request, ServerCallContext context)
    {
        var caller = Caller(request.ReplicaId);
        var theirs = PeerWire.FromWire(request.Have);
        var countMax = request.CountMax <= 0 ? options.Value.PageCountMax : Math.Min(request.CountMax, options.Value.PageCountMax);
        var set = await replica.GetPeerChangesAsync(theirs, countMax, context.CancellationToken).ConfigureAwait(false);
        var ours = await replica.GetPeerVersionAsync(context.CancellationToken).ConfigureAwait(false);
        logger.LogDebug("Peer {Caller} pulled {Changes} changes and {Skipped} skipped ids (more: {More})", caller, set.Changes.Count, set.Skipped.Count, set.More);
        return new PeerPullResponse { Have = PeerWire.ToWire(ours), Changes = PeerWire.ToWire(set), More = set.More };
    }

    public override async Task<PeerPushResponse> Push(PeerPushRequest request, ServerCallContext context)
    {
        var caller = Caller(request.ReplicaId);
        var set = PeerWire.FromWire(request.Changes);
        var report = await replica.ApplyPeerChangesAsync(set, context.CancellationToken).ConfigureAwait(false);
        var ours = await replica.GetPeerVersionAsync(context.CancellationToken).ConfigureAwait(false);
        logger.LogDebug("Peer {Caller} pushed {Count} ids: {Applied} applied, {Duplicates} known, {Held} held", caller, set.Count, report.Applied, report.Duplicates, report.Held);
        return new PeerPushResponse { Applied = report.Applied, Duplicates = report.Duplicates, Held = report.Held, Have = PeerWire.ToWire(ours) };
    }

    private static ReplicaId? Caller(ByteString id) => id.IsEmpty ? null : PeerWire.Origin(id);
}
