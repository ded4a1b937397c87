using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Storage;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrdtSync.Relay.Services;

/// <summary>
/// The relay's sync logic for an already authenticated device, without gRPC or Kestrel: handshake, push, pull and
/// snapshot with the protocol's own messages. <c>SyncService</c> (the gRPC adapter) calls exactly this; the
/// deterministic simulator (CrdtSync.Testing) calls it in-process. Refusals of a whole call are
/// <see cref="RelayRequestException"/>s (the gRPC layer maps them to statuses).
/// </summary>
public sealed class RelayEndpoint : IAsyncDisposable
{
    private readonly RelaySyncConfiguration _configuration;
    private readonly RelayClock _clock;
    private readonly TimeProvider _time;
    private readonly PrincipalResolver _principals;
    private readonly PushAuthority _authority;
    private readonly LogReader _reader;
    private readonly PushRateLimiter _rateLimiter;
    private readonly IRelayStore _store;
    private readonly ServiceProvider? _owned;

    internal RelayEndpoint(
        RelaySyncConfiguration configuration,
        RelayClock clock,
        TimeProvider time,
        PrincipalResolver principals,
        PushAuthority authority,
        LogReader reader,
        PushRateLimiter rateLimiter,
        IRelayStore store,
        DeviceRegistry devices,
        RelayFaultPoints faults)
        : this(configuration, clock, time, principals, authority, reader, rateLimiter, store, devices, faults, null)
    {
    }

    private RelayEndpoint(
        RelaySyncConfiguration configuration,
        RelayClock clock,
        TimeProvider time,
        PrincipalResolver principals,
        PushAuthority authority,
        LogReader reader,
        PushRateLimiter rateLimiter,
        IRelayStore store,
        DeviceRegistry devices,
        RelayFaultPoints faults,
        ServiceProvider? owned)
    {
        _configuration = configuration;
        _clock = clock;
        _time = time;
        _principals = principals;
        _authority = authority;
        _reader = reader;
        _rateLimiter = rateLimiter;
        _store = store;
        Devices = devices;
        FaultPoints = faults;
        _owned = owned;
    }

    /// <summary>The sync configuration the relay decides by.</summary>
    public RelaySyncConfiguration Configuration => _configuration;

    /// <summary>The relay's own replica id (origin of action effects).</summary>
    public ReplicaId RelayReplicaId => _clock.ReplicaId;

    /// <summary>The relay's store (read it to check what the relay holds).</summary>
    public IRelayStore Store => _store;

    /// <summary>Devices and role grants.</summary>
    internal DeviceRegistry Devices { get; }

    /// <summary>Fault hooks for the simulator.</summary>
    internal RelayFaultPoints FaultPoints { get; }

    /// <summary>
    /// Opens a relay over the SQLite store in <see cref="RelayOptions.DataDirectory"/> (created when missing) without a
    /// server: the same services the hosted relay uses, with <paramref name="time"/> as its clock. Dispose it to close
    /// the store; opening again on the same directory continues where it stopped.
    /// </summary>
    /// <param name="options">Data directory, database file name and sync configuration (URLs and TLS are ignored).</param>
    /// <param name="time">The relay's clock.</param>
    /// <param name="newRelayReplicaId">Makes the relay's id when the store is new; random when null.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    public static async Task<RelayEndpoint> OpenAsync(RelayOptions options, TimeProvider time, Func<ReplicaId>? newRelayReplicaId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var services = new ServiceCollection();
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(time);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddMetrics();
        RelayServiceCollectionExtensions.AddRelayCore(services);
        var provider = services.BuildServiceProvider();
        try
        {
            var store = provider.GetRequiredService<IRelayStore>();
            var configuration = provider.GetRequiredService<RelaySyncConfiguration>();
            var clock = provider.GetRequiredService<RelayClock>();
            var identity = await store.InitializeAsync(newRelayReplicaId ?? RandomReplicaId.Create, cancellationToken).ConfigureAwait(false);
            clock.Initialize(identity.ReplicaId, identity.Clock.LastTime, time, configuration.Rules.ClockSkewMax);
            return new RelayEndpoint(
                configuration, clock, time, provider.GetRequiredService<PrincipalResolver>(), provider.GetRequiredService<PushAuthority>(),
                provider.GetRequiredService<LogReader>(), provider.GetRequiredService<PushRateLimiter>(), store,
                provider.GetRequiredService<DeviceRegistry>(), provider.GetRequiredService<RelayFaultPoints>(), provider);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Registers a device for <paramref name="user"/> with the given replica id (random when null) and returns its identity.</summary>
    public async Task<DeviceIdentity> CreateDeviceAsync(string user, ReplicaId? replica = null, CancellationToken cancellationToken = default)
    {
        var (_, id) = await Devices.CreateDeviceAsync(user, replica, user, cancellationToken).ConfigureAwait(false);
        return new DeviceIdentity(id, user, user);
    }

    /// <summary>Grants (or revokes) a role of <paramref name="user"/>. False when nothing changed.</summary>
    public Task<bool> SetRoleAsync(string user, string role, bool granted, CancellationToken cancellationToken = default) =>
        Devices.SetRoleAsync(user, role, granted, cancellationToken);

    /// <summary>Who am I, the relay's time and rules, and my access.</summary>
    public async Task<HandshakeResponse> HandshakeAsync(DeviceIdentity device, HandshakeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var principal = await _principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
        var info = await _store.GetLogInfoAsync(cancellationToken).ConfigureAwait(false);
        var rules = _configuration.Rules;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var response = new HandshakeResponse
        {
            RelayReplicaId = ByteString.CopyFrom(_clock.ReplicaId.ToByteArray()),
            DeviceReplicaId = ByteString.CopyFrom(device.Replica.ToByteArray()),
            User = device.User,
            ServerTimeUnixMs = now,
            ClockSkewMs = request.ClientTimeUnixMs == 0 ? 0 : request.ClientTimeUnixMs - now,
            ClockSkewMaxMs = (long)rules.ClockSkewMax.TotalMilliseconds,
            ConfigurationJson = _configuration.Json,
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

    /// <summary>Decides a batch of changes in one durable transaction; one outcome per change, in order; a re-push gets the first outcome.</summary>
    public async Task<PushResponse> PushAsync(DeviceIdentity device, PushRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var limits = _configuration.Rules.Limits;
        if (request.Changes.Count > limits.BatchCountMax)
        {
            throw new RelayRequestException(RelayErrorKind.ResourceExhausted, $"A push holds at most {limits.BatchCountMax} changes; this one holds {request.Changes.Count}. Split it.");
        }

        if (!_rateLimiter.TryAcquire(device.Replica))
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

        var principal = await _principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
        var results = await _authority.PushAsync(device, principal, changes, cancellationToken).ConfigureAwait(false);
        var response = new PushResponse();
        response.Outcomes.AddRange(results.Select(ProtocolMapping.ToWire));
        return response;
    }

    /// <summary>One page of the log after a cursor, within the caller's grants.</summary>
    public async Task<PullResponse> PullAsync(DeviceIdentity device, PullRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var principal = await _principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
        var views = _reader.Views(principal, ProtocolMapping.FromWire(request.Subscriptions), strict: true);
        var result = await _reader.PullAsync(views, request.Cursor, request.PageSize, cancellationToken).ConfigureAwait(false);
        return ProtocolMapping.ToWire(result);
    }

    /// <summary>The current state of every readable record of the subscriptions, in pages; the last page carries the cursor to pull from.</summary>
    public async IAsyncEnumerable<SnapshotPage> SnapshotAsync(DeviceIdentity device, SnapshotRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        var principal = await _principals.ResolveAsync(device, cancellationToken).ConfigureAwait(false);
        var views = _reader.Views(principal, ProtocolMapping.FromWire(request.Subscriptions), strict: true);
        var snapshot = await _reader.SnapshotAsync(views, cancellationToken).ConfigureAwait(false);
        var pageSize = _reader.PageSizeFor(0);
        for (var start = 0; start == 0 || start < snapshot.Records.Count; start += pageSize)
        {
            var page = new SnapshotPage();
            page.Records.AddRange(snapshot.Records.Skip(start).Take(pageSize).Select(ByteString.CopyFrom));
            if (start + pageSize >= snapshot.Records.Count)
            {
                page.Last = true;
                page.Cursor = snapshot.Cursor;
            }

            yield return page;
        }
    }

    /// <summary>Closes the store when this endpoint opened it (<see cref="OpenAsync"/>); a hosted relay's endpoint owns nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
