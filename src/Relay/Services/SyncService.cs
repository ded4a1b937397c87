using CrdtSync.Crdt.Schema;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using Grpc.Core;

namespace CrdtSync.Relay.Services;

/// <summary>The replica-facing gRPC service: a thin adapter that authenticates (interceptor) and calls <see cref="RelayEndpoint"/>, which holds the logic.</summary>
internal sealed class SyncService(
    RelayEndpoint endpoint,
    RelaySyncConfiguration configuration,
    TimeProvider time,
    PrincipalResolver principals,
    LogReader reader,
    ChangeFeed feed,
    RelayMetrics metrics,
    Storage.IRelayStore store,
    Microsoft.Extensions.Options.IOptions<RelayOptions> options) : Sync.SyncBase
{
    public override Task<HandshakeResponse> Handshake(HandshakeRequest request, ServerCallContext context) =>
        endpoint.HandshakeAsync(DeviceAuthInterceptor.DeviceOf(context), request, context.CancellationToken);

    public override Task<PushResponse> Push(PushRequest request, ServerCallContext context) =>
        endpoint.PushAsync(DeviceAuthInterceptor.DeviceOf(context), request, context.CancellationToken);

    public override Task<PullResponse> Pull(PullRequest request, ServerCallContext context) =>
        endpoint.PullAsync(DeviceAuthInterceptor.DeviceOf(context), request, context.CancellationToken);

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
        await foreach (var page in endpoint.SnapshotAsync(DeviceAuthInterceptor.DeviceOf(context), request, context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(page, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static byte[] DeviceTokenHash(ServerCallContext context) => TokenHasher.Hash(BearerToken.From(context.RequestHeaders) ?? string.Empty);
}
