using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

public abstract class AuthTests(TestRelay relay)
{
    private async Task<PushRequest> ValidPushAsync(string id)
    {
        var device = await relay.DeviceAsync("auth-" + id, "agent");
        var request = new PushRequest();
        request.Changes.Add(ByteString.CopyFrom(ChangeCodec.Encode(device.Create("incidents", id, F("title", "x")))));
        return request;
    }

    [Fact]
    public async Task A_push_without_a_token_is_unauthenticated_and_nothing_is_recorded()
    {
        var request = await ValidPushAsync("a-none");
        var before = await relay.LogInfoAsync();
        using var channel = GrpcChannel.ForAddress(relay.Host.Address);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Sync.SyncClient(channel).PushAsync(request));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var after = await relay.LogInfoAsync();
        Assert.Equal(before.OutcomeCount, after.OutcomeCount);
        Assert.Equal(before.LogLength, after.LogLength);
    }

    [Fact]
    public async Task A_push_with_a_wrong_token_is_unauthenticated_and_nothing_is_recorded()
    {
        var request = await ValidPushAsync("a-wrong");
        var before = await relay.LogInfoAsync();
        using var channel = RelayChannels.ForAddress(relay.Host.Address, "csd_not-a-token");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Sync.SyncClient(channel).PushAsync(request));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(before.OutcomeCount, (await relay.LogInfoAsync()).OutcomeCount);
    }

    [Fact]
    public async Task Every_sync_call_needs_a_valid_token()
    {
        using var channel = RelayChannels.ForAddress(relay.Host.Address, "csd_wrong");
        var client = new Sync.SyncClient(channel);
        var pull = new PullRequest { Subscriptions = { new Subscription { Collection = "incidents" } } };

        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () => await client.HandshakeAsync(new HandshakeRequest()))).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () => await client.PullAsync(pull))).StatusCode);
        using var stream = client.Subscribe(new SubscribeRequest { Subscriptions = { new Subscription { Collection = "incidents" } } });
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(async () => await stream.ResponseStream.MoveNext())).StatusCode);
    }

    [Fact]
    public async Task The_admin_service_refuses_a_device_token_and_a_wrong_credential()
    {
        var device = await relay.DeviceAsync("auth-admin", "lead");
        using var channel = RelayChannels.ForAddress(relay.Host.Address, device.Credential.Token);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Admin.AdminClient(channel).CreateDeviceAsync(new CreateDeviceRequest { User = "mallory" }));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_revoked_device_token_is_unauthenticated_from_then_on()
    {
        var device = await relay.DeviceAsync("auth-revoked", "agent");
        await device.Client.HandshakeAsync(new HandshakeRequest());

        await relay.Admin.RevokeDeviceAsync(new RevokeDeviceRequest { ReplicaId = ByteString.CopyFrom(device.Id.ToByteArray()) });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await device.Client.HandshakeAsync(new HandshakeRequest()));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_change_whose_origin_is_another_device_is_refused_and_not_recorded()
    {
        var alice = await relay.DeviceAsync("auth-alice", "agent");
        var mallory = await relay.DeviceAsync("auth-mallory", "agent");
        var forged = new PushRequest();
        forged.Changes.Add(ByteString.CopyFrom(ChangeCodec.Encode(alice.Create("incidents", "a-forged", F("title", "In Alice's name")))));
        var before = await relay.LogInfoAsync();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await mallory.Client.PushAsync(forged));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        var after = await relay.LogInfoAsync();
        Assert.Equal(before.OutcomeCount, after.OutcomeCount);
        Assert.Equal(before.LogLength, after.LogLength);
    }

    [Fact]
    public async Task The_handshake_tells_the_device_who_it_is_the_relay_time_its_skew_and_the_rules()
    {
        var device = await relay.DeviceAsync("auth-hello", "contractor");
        var clientTime = relay.Time.GetUtcNow().AddSeconds(3).ToUnixTimeMilliseconds();

        var hello = await device.Client.HandshakeAsync(new HandshakeRequest { ClientTimeUnixMs = clientTime });

        Assert.Equal("auth-hello", hello.User);
        Assert.Equal(["contractor"], hello.Roles);
        Assert.Equal(device.Id.ToByteArray(), hello.DeviceReplicaId.ToByteArray());
        Assert.Equal(3000, hello.ClockSkewMs);
        Assert.Contains("\"collections\"", hello.ConfigurationJson, StringComparison.Ordinal);
        Assert.Equal(1000, hello.Limits.BatchCountMax);
        var tasks = Assert.Single(hello.Access);
        Assert.Equal("tasks", tasks.Collection);
        Assert.True(tasks.Filtered);
    }
}

public sealed class AuthTestsOnSqlite(SqliteRelay relay) : AuthTests(relay), IClassFixture<SqliteRelay>;

public sealed class AuthTestsOnPostgres(PostgresRelay relay) : AuthTests(relay), IClassFixture<PostgresRelay>;
