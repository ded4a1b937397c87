using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Storage;
using Google.Protobuf;
using Grpc.Core;

namespace CrdtSync.Relay.Services;

/// <summary>The operator's gRPC service (admin credential required by interceptor): devices, roles, records, the log.</summary>
internal sealed class AdminService(DeviceRegistry registry, IRelayStore store, RelayClock clock, RelayMetrics metrics) : Admin.AdminBase
{
    public override async Task<CreateDeviceResponse> CreateDevice(CreateDeviceRequest request, ServerCallContext context)
    {
        ReplicaId? replica = request.ReplicaId.IsEmpty ? null : ReplicaIdFrom(request.ReplicaId);
        var (token, id) = await registry.CreateDeviceAsync(request.User, replica, request.Label, context.CancellationToken).ConfigureAwait(false);
        return new CreateDeviceResponse { Token = token, ReplicaId = ByteString.CopyFrom(id.ToByteArray()) };
    }

    public override async Task<RevokeDeviceResponse> RevokeDevice(RevokeDeviceRequest request, ServerCallContext context) =>
        new() { Revoked = await registry.RevokeDeviceAsync(ReplicaIdFrom(request.ReplicaId), context.CancellationToken).ConfigureAwait(false) };

    public override async Task<RoleResponse> GrantRole(RoleRequest request, ServerCallContext context)
    {
        var changed = await registry.SetRoleAsync(request.User, request.Role, true, context.CancellationToken).ConfigureAwait(false);
        return await RolesAsync(request.User, changed, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<RoleResponse> RevokeRole(RoleRequest request, ServerCallContext context)
    {
        var changed = await registry.SetRoleAsync(request.User, request.Role, false, context.CancellationToken).ConfigureAwait(false);
        return await RolesAsync(request.User, changed, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<RoleResponse> ListRoles(ListRolesRequest request, ServerCallContext context) =>
        RolesAsync(request.User, false, context.CancellationToken);

    public override async Task<GetRecordResponse> GetRecord(GetRecordRequest request, ServerCallContext context)
    {
        if (!CollectionName.TryCreate(request.Collection, out var collection) || !RecordId.TryCreate(request.RecordId, out var id))
        {
            throw new RelayRequestException(RelayErrorKind.InvalidArgument, "Give a valid collection name and record id.");
        }

        var record = await store.GetRecordAsync(collection, id, context.CancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return new GetRecordResponse { Found = false };
        }

        var response = new GetRecordResponse { Found = true, State = ByteString.CopyFrom(RecordStateCodec.Encode(record.State)) };
        response.Journal.AddRange(record.State.Journal.Select(e => new JournalLine
        {
            Field = e.Field.Text,
            Value = e.Value.ToString(),
            WriterOrigin = ByteString.CopyFrom(e.Writer.Origin.ToByteArray()),
            WriterSequence = e.Writer.Sequence,
            StampUnixMs = e.Stamp.Milliseconds,
        }));
        return response;
    }

    public override async Task<GetLogInfoResponse> GetLogInfo(GetLogInfoRequest request, ServerCallContext context)
    {
        var info = await store.GetLogInfoAsync(context.CancellationToken).ConfigureAwait(false);
        return new GetLogInfoResponse
        {
            LogHead = info.Head,
            LogFloor = info.Floor,
            LogLength = info.Length,
            OutcomeCount = info.OutcomeCount,
            RelayReplicaId = ByteString.CopyFrom(clock.ReplicaId.ToByteArray()),
        };
    }

    public override async Task<CompactLogResponse> CompactLog(CompactLogRequest request, ServerCallContext context)
    {
        var removed = await store.CompactLogAsync(request.UpToSequence, context.CancellationToken).ConfigureAwait(false);
        var info = await store.GetLogInfoAsync(context.CancellationToken).ConfigureAwait(false);
        metrics.LogLength(info.Length);
        return new CompactLogResponse { LogFloor = info.Floor, Removed = removed };
    }

    private async Task<RoleResponse> RolesAsync(string user, bool changed, CancellationToken cancellationToken)
    {
        var response = new RoleResponse { User = user, Changed = changed };
        response.Roles.AddRange((await store.GetRolesAsync(user, cancellationToken).ConfigureAwait(false)).Order(StringComparer.Ordinal));
        return response;
    }

    private static ReplicaId ReplicaIdFrom(ByteString bytes) =>
        bytes.Length == ReplicaId.Size
            ? ReplicaId.FromBytes(bytes.Span)
            : throw new RelayRequestException(RelayErrorKind.InvalidArgument, $"A replica id is {ReplicaId.Size} bytes, not {bytes.Length}.");
}
