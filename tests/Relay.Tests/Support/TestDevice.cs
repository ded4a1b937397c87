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

namespace CrdtSync.Relay.Tests.Support;

/// <summary>A device talking to a test relay through a real gRPC client: makes changes from its own origin and pushes them.</summary>
public sealed class TestDevice
{
    private readonly HybridLogicalClock _clock;
    private long _sequence;

    public TestDevice(Uri address, DeviceCredential credential, TimeProvider time)
    {
        Credential = credential;
        Channel = RelayChannels.ForAddress(address, credential.Token);
        Client = new Sync.SyncClient(Channel);
        _clock = new HybridLogicalClock(credential.Replica, time);
    }

    public DeviceCredential Credential { get; }

    public ReplicaId Replica => Credential.Replica;

    public GrpcChannel Channel { get; }

    public Sync.SyncClient Client { get; }

    public static FieldValue F(string name, string value) => new(name, Value.String(value));

    public static FieldValue F(string name, long value) => new(name, Value.Int64(value));

    public static VersionVector Seen(params Change[] changes) => changes.Aggregate(VersionVector.Empty, (v, c) => v.With(c.Id));

    public Change Upsert(string collection, string id, VersionVector seen, params FieldValue[] fields) =>
        Change.Upsert(NextId(), _clock.Next(), collection, id, seen, fields);

    public Change Create(string collection, string id, params FieldValue[] fields) => Upsert(collection, id, VersionVector.Empty, fields);

    public Change Action(string collection, string id, VersionVector seen, string action, params FieldValue[] arguments) =>
        Change.Action(NextId(), _clock.Next(), collection, id, seen, new ActionName(action), arguments);

    public Change Delete(string collection, string id, VersionVector seen) => Change.Delete(NextId(), _clock.Next(), collection, id, seen);

    public Change Stamped(Stamp stamp, string collection, string id, params FieldValue[] fields) =>
        Change.Upsert(NextId(), stamp, collection, id, VersionVector.Empty, fields);

    public ReplicaId Id => Credential.Replica;

    public async Task<ChangeOutcome> PushAsync(Change change) => (await PushAsync([change]))[0];

    public async Task<IReadOnlyList<ChangeOutcome>> PushAsync(IEnumerable<Change> changes)
    {
        var request = new PushRequest();
        request.Changes.AddRange(changes.Select(c => ByteString.CopyFrom(ChangeCodec.Encode(c))));
        var response = await Client.PushAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
        return response.Outcomes;
    }

    public async Task<IReadOnlyList<PullResponse>> PullAllAsync(long cursor, params string[] collections)
    {
        var pages = new List<PullResponse>();
        while (true)
        {
            var request = new PullRequest { Cursor = cursor, PageSize = 7 };
            request.Subscriptions.AddRange(collections.Select(c => new Subscription { Collection = c }));
            var page = await Client.PullAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            pages.Add(page);
            cursor = page.NextCursor;
            if (page.CaughtUp || page.ResyncRequired)
            {
                return pages;
            }
        }
    }

    private ChangeId NextId() => new(Credential.Replica, ++_sequence);
}
