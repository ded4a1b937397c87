using CrdtSync.Protocol.V1;
using Grpc.Core;

namespace CrdtSync.RelayBench;

/// <summary>
/// The transport baseline: the relay's own Push contract served with no store and no decision. It answers every change
/// "accepted" with a made-up sequence, so the same request bytes cross the same gRPC stack as a real push.
/// </summary>
internal sealed class EchoSyncService : Sync.SyncBase
{
    private long _sequence;

    public override Task<PushResponse> Push(PushRequest request, ServerCallContext context)
    {
        var response = new PushResponse();
        foreach (var change in request.Changes)
        {
            response.Outcomes.Add(new ChangeOutcome { Kind = OutcomeKind.Accepted, LogSequence = Interlocked.Increment(ref _sequence), Committed = { change } });
        }

        return Task.FromResult(response);
    }
}
