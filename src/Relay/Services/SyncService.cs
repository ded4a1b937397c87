using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using Google.Protobuf;
using Grpc.Core;

namespace CrdtSync.Relay.Services;

/// <summary>The replica-facing gRPC service: a thin adapter that authenticates (interceptor), checks call limits, and calls the authority.</summary>
internal sealed class SyncService(
    RelaySyncConfiguration configuration,
    RelayClock clock,
    TimeProvider time,
    PrincipalResolver principals,
    PushAuthority authority,
    LogReader reader,
    PushRateLimiter rateLimiter,
    ChangeFeed feed,
    RelayMetrics metrics,
    Storage.IRelayStore store,
    Microsoft.Extensions.Options.IOptions<RelayOptions> options) : Sync.SyncBase
{
    public override async Task<HandshakeResponse> Handshake(HandshakeRequest request, ServerCallContext context)
    {
        var device = DeviceAuthInterceptor.DeviceOf(context);
        var principal = await principals.ResolveAsync(device, context.CancellationToken).ConfigureAwait(false);
        var info = await store.GetLogInfoAsync(context.CancellationToken).ConfigureAwait(false);
        var rules = configuration.Rules;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var response = new HandshakeResponse
        {
            RelayReplicaId = ByteString.CopyFrom(clock.ReplicaId.ToByteArray()),
            DeviceReplicaId = ByteString.CopyFrom(device.Replica.ToByteArray()),
            User = device.User,
            ServerTimeUnixMs = now,
            ClockSkewMs = request.ClientTimeUnixMs == 0 ? 0 : request.ClientTimeUnixMs - now,
            ClockSkewMaxMs = (long)rules.ClockSkewMax.TotalMilliseconds,
            ConfigurationJson = configuration.Json,
            CacheLifetimeMs = (long)rules.CacheLifetime.TotalMilliseconds,
            Limits = new Limits
            {
                BatchCountMax = rules.Limits.BatchCountMax,
                MessageBytesMax = rules.Limits.MessageBytesMax,
                PullPageCountMax = rules.Limits.PullPageCountMax,
                PushesPerSecondMax = rules.Limits.PushesPerSecondMax,
            },
            LogHead = info.Head,
            LogFloor = info.Floor,
        };
        response.Roles.AddRange(principal.Roles.Order(StringComparer.Ordinal));
        response.Access.AddRange(ProtocolMapping.Access(rules, principal));
        return response;
    }

    public override async Task<PushResponse> Push(PushRequest request, ServerCallContext context)
    {
        var device = DeviceAuthInterceptor.DeviceOf(context);
        var limits = configuration.Rules.Limits;
        if (request.Changes.Count > limits.BatchCountMax)
        {
            throw new RelayRequestException(RelayErrorKind.ResourceExhausted, $"A push holds at most {limits.BatchCountMax} changes; this one holds {request.Changes.Count}. Split it.");
        }

        if (!rateLimiter.TryAcquire(device.Replica))
        {
            throw new RelayRequestException(RelayErrorKind.ResourceExhausted, $"This device pushes more than {limits.PushesPerSecondMax} times per second. Batch changes and retry later.");
        }

        var changes = new List<(Change, byte[])>(request.Changes.Count);
        for (var i = 0; i < request.Changes.Count; i++)
        {
            var bytes = request.Changes[i].ToByteArray();
            if (!ChangeCodec.TryDecode(bytes, out var change, out var error))
            {
                throw new RelayRequestException(RelayErrorKind.InvalidArgument, $"Change {i} of the push is not a canonical change: {error!.Message}");
            }

            changes.Add((change!, bytes));
        }

        var principal = await principals.ResolveAsync(device, context.CancellationToken).ConfigureAwait(false);
        var results = await authority.PushAsync(device, principal, changes, context.CancellationToken).ConfigureAwait(false);
        var response = new PushResponse();
        response.Outcomes.AddRange(results.Select(ProtocolMapping.ToWire));
        return response;
    }

    public override async Task<PullResponse> Pull(PullRequest request, ServerCallContext context)
    {
        var device = DeviceAuthInterceptor.DeviceOf(context);
        var principal = await principals.ResolveAsync(device, context.CancellationToken).ConfigureAwait(false);
        var views = reader.Views(principal, ProtocolMapping.FromWire(request.Subscriptions), strict: true);
        var result = await reader.PullAsync(views, request.Cursor, request.PageSize, context.CancellationToken).ConfigureAwait(false);
        return ProtocolMapping.ToWire(result);
    }

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeEvent> responseStream, ServerCallContext context)
    {
        var device = DeviceAuthInterceptor.DeviceOf(context);
        var cancellationToken = context.CancellationToken;
        var subscriptions = ProtocolMapping.FromWire(request.Subscriptions);
        var principal = await principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
        var views = reader.Views(principal, subscriptions, strict: true);
        var cursor = request.Cursor;
        var accessVersion = feed.AccessVersion;
        var caughtUpSent = false;
        metrics.SubscriberStarted();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Take the wake-up before reading, so a commit between the read and the wait is not missed.
                var wake = feed.Next;
                if (feed.AccessVersion != accessVersion)
                {
                    accessVersion = feed.AccessVersion;
                    if (await store.FindDeviceAsync(DeviceTokenHash(context), cancellationToken).ConfigureAwait(false) is null)
                    {
                        throw new RpcException(new Status(StatusCode.Unauthenticated, "The device token was revoked."));
                    }

                    var now = await principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
                    if (!now.Roles.SetEquals(principal.Roles))
                    {
                        principal = now;
                        views = reader.Views(principal, subscriptions, strict: false);
                        var changed = new AccessChanged();
                        changed.Roles.AddRange(principal.Roles.Order(StringComparer.Ordinal));
                        changed.Access.AddRange(ProtocolMapping.Access(configuration.Rules, principal));
                        await responseStream.WriteAsync(new SubscribeEvent { AccessChanged = changed }, cancellationToken).ConfigureAwait(false);
                    }
                }

                var page = await reader.PullAsync(views, cursor, 0, cancellationToken).ConfigureAwait(false);
                if (page.ResyncRequired)
                {
                    await responseStream.WriteAsync(new SubscribeEvent { Page = ProtocolMapping.ToWire(page) }, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (page.Entries.Count > 0 || page.NextCursor != cursor)
                {
                    await responseStream.WriteAsync(new SubscribeEvent { Page = ProtocolMapping.ToWire(page) }, cancellationToken).ConfigureAwait(false);
                    cursor = page.NextCursor;
                }

                if (!page.CaughtUp)
                {
                    continue;
                }

                if (!caughtUpSent)
                {
                    caughtUpSent = true;
                    await responseStream.WriteAsync(new SubscribeEvent { CaughtUp = new CaughtUp { Cursor = cursor } }, cancellationToken).ConfigureAwait(false);
                }

                await Task.WhenAny(wake, Task.Delay(options.Value.SubscriberRecheckInterval, time, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The subscriber went away or its deadline passed.
        }
        finally
        {
            metrics.SubscriberEnded();
        }
    }

    public override async Task Snapshot(SnapshotRequest request, IServerStreamWriter<SnapshotPage> responseStream, ServerCallContext context)
    {
        var device = DeviceAuthInterceptor.DeviceOf(context);
        var principal = await principals.ResolveAsync(device, context.CancellationToken).ConfigureAwait(false);
        var views = reader.Views(principal, ProtocolMapping.FromWire(request.Subscriptions), strict: true);
        var snapshot = await reader.SnapshotAsync(views, context.CancellationToken).ConfigureAwait(false);
        var pageSize = reader.PageSizeFor(0);
        for (var start = 0; start == 0 || start < snapshot.Records.Count; start += pageSize)
        {
            var page = new SnapshotPage();
            page.Records.AddRange(snapshot.Records.Skip(start).Take(pageSize).Select(ByteString.CopyFrom));
            if (start + pageSize >= snapshot.Records.Count)
            {
                page.Last = true;
                page.Cursor = snapshot.Cursor;
            }

            await responseStream.WriteAsync(page, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[] DeviceTokenHash(ServerCallContext context) => TokenHasher.Hash(BearerToken.From(context.RequestHeaders) ?? string.Empty);
}
