using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Hosting;
using Google.Protobuf;
using Grpc.Net.Client;

namespace CrdtSync.RelayBench;

/// <summary>A device of the bench: makes single-field upserts from its own origin and pushes them through a real gRPC client.</summary>
internal sealed class BenchDevice : IDisposable
{
    private readonly HybridLogicalClock _clock;
    private long _sequence;

    public BenchDevice(Uri address, DeviceCredential credential)
    {
        Credential = credential;
        Channel = RelayChannels.ForAddress(address, credential.Token);
        Client = new Sync.SyncClient(Channel);
        _clock = new HybridLogicalClock(credential.Replica, TimeProvider.System);
    }

    public DeviceCredential Credential { get; }

    public GrpcChannel Channel { get; }

    public Sync.SyncClient Client { get; }

    /// <summary>A push request of <paramref name="count"/> creates of one field each, as canonical change bytes.</summary>
    public PushRequest Batch(string prefix, int count)
    {
        var request = new PushRequest();
        for (var i = 0; i < count; i++)
        {
            var change = Change.Upsert(new ChangeId(Credential.Replica, ++_sequence), _clock.Next(), "incidents", $"{prefix}-{_sequence}", VersionVector.Empty,
                [new FieldValue("title", Value.String($"title {_sequence}"))]);
            request.Changes.Add(ByteString.CopyFrom(ChangeCodec.Encode(change)));
        }

        return request;
    }

    public void Dispose() => Channel.Dispose();
}
