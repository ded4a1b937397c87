using CrdtSync.Crdt.Clocks;
using CrdtSync.Protocol.V1;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Events;
using CrdtSync.Replica.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace CrdtSync.Replica.Sync;

/// <summary>
/// Keeps a replica in sync with its relay automatically (DESIGN.md §4, docs/sync.md). Once started it handshakes
/// (configuration, identity, clock skew, revocations), downloads the subscribed collections with progress, pushes the
/// outbox as soon as a change is made, follows the relay's live tail, and when the relay cannot be reached it retries
/// with exponential backoff and jitter on its own, with no new local write needed. In explicit offline mode it does not
/// touch the network at all. <see cref="SyncAllAsync"/> forces a round and says what it did; <see cref="GetStatusAsync"/>
/// says whether the replica is fully synced and up to which point.
/// </summary>
/// <remarks>
/// The logic talks only to <see cref="IRelayTransport"/>: give the gRPC one (<see cref="GrpcRelayTransport"/>, made from
/// the options by the first constructor) or an in-memory one (the simulator). Time (timestamps, backoff delays) and the
/// jitter's random source are injected.
/// </remarks>
public sealed class SyncClient : IAsyncDisposable
{
    private readonly ReplicaStore _replica;
    private readonly IDisposable? _ownedTransport;
    private readonly SyncClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SyncStatusTracker _status = new();
    private readonly SyncSession _session;
    private readonly Backoff _backoff;
    private readonly ResiliencePipeline _pipeline;
    private readonly ResiliencePipeline _syncAllPipeline;
    private readonly AsyncSignal _outboxSignal = new();
    private readonly AsyncSignal _wake = new();
    private readonly Lock _lock = new();
    private CancellationTokenSource? _episode;
    private CancellationTokenSource? _run;
    private Task? _loop;

    /// <summary>A client over gRPC to <see cref="SyncClientOptions.RelayAddress"/> with <see cref="SyncClientOptions.Token"/>.</summary>
    /// <param name="replica">The replica to keep in sync.</param>
    /// <param name="options">Relay address, token, backoff bounds, deadlines.</param>
    /// <param name="time">The clock for timestamps and backoff delays; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">The jitter's random source; a new unseeded one when null.</param>
    /// <param name="logger">Where to log; nothing when null.</param>
    public SyncClient(ReplicaStore replica, IOptions<SyncClientOptions> options, TimeProvider? time = null, Random? random = null, ILogger<SyncClient>? logger = null)
        : this(replica, CreateTransport(options), (options ?? throw new ArgumentNullException(nameof(options))).Value, time, random, logger, owned: true)
    {
    }

    /// <summary>A client over any transport (the simulator's in-memory one, a decorated one); the caller keeps owning <paramref name="transport"/>.</summary>
    public SyncClient(ReplicaStore replica, IRelayTransport transport, SyncClientOptions options, TimeProvider? time = null, Random? random = null, ILogger<SyncClient>? logger = null)
        : this(replica, transport, options, time, random, logger, owned: false)
    {
    }

    private SyncClient(ReplicaStore replica, IRelayTransport transport, SyncClientOptions options, TimeProvider? time, Random? random, ILogger<SyncClient>? logger, bool owned)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        _replica = replica;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ownedTransport = owned ? transport as IDisposable : null;
        _status.Sender = this;
        _session = new SyncSession(replica, transport, options, _status, _time, _logger);
        _backoff = new Backoff(options.BackoffMin, options.BackoffMax, random ?? new Random());
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsRetryable),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(_backoff.Delay(args.AttemptNumber)),
                OnRetry = args =>
                {
                    _replica.SetConnected(false);
                    var error = args.Outcome.Exception?.Message;
                    _logger.LogInformation("Relay not reachable ({Error}); next attempt in {Delay}", error, args.RetryDelay);
                    _status.Update(s => s with { State = SyncState.Reconnecting, LastError = error, NextAttemptIn = args.RetryDelay });
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        var syncAllPipeline = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (options.SyncAllRetryCount > 0)
        {
            syncAllPipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RelayTransportException>(e => e.IsTransient),
                MaxRetryAttempts = options.SyncAllRetryCount,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(_backoff.Delay(args.AttemptNumber)),
            });
        }

        _syncAllPipeline = syncAllPipeline.Build();
    }

    /// <summary>Raised when <see cref="Status"/> changes (state, cursor, contact, errors, clock skew).</summary>
    public event EventHandler<SyncStatus>? StatusChanged
    {
        add => _status.StatusChanged += value;
        remove => _status.StatusChanged -= value;
    }

    /// <summary>Raised after each snapshot page, pull page, live page or push batch is committed, with counts.</summary>
    public event EventHandler<SyncProgress>? Progress
    {
        add => _status.Progress += value;
        remove => _status.Progress -= value;
    }

    /// <summary>The last known status (outbox counts as of the last sync step; <see cref="GetStatusAsync"/> counts now).</summary>
    public SyncStatus Status => _status.Current;

    /// <summary>True between <see cref="StartAsync"/> and <see cref="StopAsync"/>.</summary>
    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>Asks the relay which device a token belongs to (a handshake), so a new replica file can take its id (docs/sync.md).</summary>
    public static async Task<DeviceIdentity> GetDeviceIdentityAsync(SyncClientOptions options, CancellationToken cancellationToken = default)
    {
        using var transport = GrpcRelayTransport.Create(options);
        return await GetDeviceIdentityAsync(transport, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the relay, through <paramref name="transport"/>, which device the transport's token belongs to.</summary>
    public static async Task<DeviceIdentity> GetDeviceIdentityAsync(IRelayTransport transport, SyncClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        var response = await transport.HandshakeAsync(new HandshakeRequest { ClientAgent = options.ClientAgent }, cancellationToken).ConfigureAwait(false);
        return new DeviceIdentity(ReplicaId.FromBytes(response.DeviceReplicaId.Span), response.User, [.. response.Roles]);
    }

    /// <summary>Starts syncing in the background; returns at once. The status tells how it goes.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_loop is not null)
            {
                throw new InvalidOperationException("The sync client is already started.");
            }

            _replica.OutboxChanged += OnOutboxChanged;
            _replica.OfflineModeChanged += OnOfflineModeChanged;
            _run = new CancellationTokenSource();
            var stopping = _run.Token;
            _loop = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops syncing: the open calls are cancelled; queued changes stay in the outbox for the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
            _run?.Cancel();
            _replica.OutboxChanged -= OnOutboxChanged;
            _replica.OfflineModeChanged -= OnOfflineModeChanged;
        }

        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            _run?.Dispose();
            _run = null;
            _loop = null;
        }

        _replica.SetConnected(false);
        _status.Update(s => s with { State = SyncState.Stopped, NextAttemptIn = null });
    }

    /// <summary>
    /// Forces a round now, whether or not the client is started: handshake, push everything pending, pull until caught up.
    /// A transient transport failure (the relay momentarily unreachable) is retried <see cref="SyncClientOptions.SyncAllRetryCount"/>
    /// times with the backoff delays; other transport failures, and a transient one that outlasts the retries, are thrown
    /// (<see cref="RelayTransportException"/>). Re-running a round is safe: pushes are idempotent by change id.
    /// </summary>
    /// <exception cref="OfflineModeException">The replica is in explicit offline mode: nothing is sent.</exception>
    /// <exception cref="RelayTransportException">The relay could not be reached or refused the call.</exception>
    /// <exception cref="ReplicaIdentityMismatchException">The token belongs to another device than this replica file.</exception>
    public async Task<SyncReport> SyncAllAsync(CancellationToken cancellationToken = default)
    {
        if (_replica.IsInOfflineMode)
        {
            throw new OfflineModeException();
        }

        return await _syncAllPipeline.ExecuteAsync(static (self, token) => new ValueTask<SyncReport>(self.SyncRoundAsync(token)), this, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One round of <see cref="SyncAllAsync"/>: handshake, download, push everything, pull to the head.</summary>
    private async Task<SyncReport> SyncRoundAsync(CancellationToken cancellationToken)
    {
        await _session.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        var pulled = await _session.DownloadAsync(cancellationToken).ConfigureAwait(false);
        var (pushed, accepted, refused) = await _session.PushAllAsync(cancellationToken).ConfigureAwait(false);
        pulled += await _session.PullToHeadAsync(cancellationToken).ConfigureAwait(false);
        var status = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        _wake.Set();
        return new SyncReport(pushed, accepted, refused, pulled, status.Cursor, status.CaughtUp, status.PendingCount);
    }

    /// <summary>The status with the outbox counted now and the cursor every subscription has reached.</summary>
    public async Task<SyncStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var counts = await _replica.GetOutboxCountsAsync(cancellationToken).ConfigureAwait(false);
        var subscriptions = await _replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        var cursor = subscriptions.Count == 0 ? 0 : subscriptions.Min(s => s.Cursor);
        _status.Update(s => s with { PendingCount = counts.Pending, ErrorCount = counts.Errors, Cursor = cursor });
        return _status.Current;
    }

    /// <summary>
    /// Subscribes the replica to a collection (optionally only records with <c>filterField = filterValue</c>, <c>$user</c>
    /// allowed) and has the running client download it now.
    /// </summary>
    public async Task SubscribeAsync(string collection, string? filterField = null, string? filterValue = null, CancellationToken cancellationToken = default)
    {
        await _replica.SubscribeAsync(collection, filterField, filterValue, cancellationToken).ConfigureAwait(false);
        Restart();
    }

    /// <summary>Stops the client.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _ownedTransport?.Dispose();
    }

    private static IRelayTransport CreateTransport(IOptions<SyncClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GrpcRelayTransport.Create(options.Value);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            if (_replica.IsInOfflineMode)
            {
                _replica.SetConnected(false);
                _status.Update(s => s with { State = SyncState.Offline, NextAttemptIn = null });
                await WaitQuietlyAsync(_wake, stopping).ConfigureAwait(false);
                continue;
            }

            using var episode = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            lock (_lock)
            {
                _episode = episode;
            }

            try
            {
                if (_replica.IsInOfflineMode)
                {
                    continue;
                }

                var dropped = await _pipeline.ExecuteAsync(static (self, token) => new ValueTask<bool>(self.ConnectAndRunAsync(token)), this, episode.Token).ConfigureAwait(false);
                if (dropped)
                {
                    await Task.Delay(_backoff.Delay(0), _time, episode.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (episode.IsCancellationRequested)
            {
                // Stopping, offline mode entered, or a restart (new subscription).
            }
            catch (OfflineModeException)
            {
                // Offline mode was entered between two calls: the loop goes quiet.
            }
            catch (Exception error) when (!IsRetryable(error))
            {
                _replica.SetConnected(false);
                _logger.LogError(error, "Sync stopped: {Reason}", error.Message);
                _status.Update(s => s with { State = SyncState.Failed, LastError = error.Message, NextAttemptIn = null });
                await WaitQuietlyAsync(_wake, stopping).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    _episode = null;
                }

                _replica.SetConnected(false);
            }
        }
    }

    /// <summary>One connection: handshake, download, then push and live tail until one ends. True when it dropped after connecting.</summary>
    private async Task<bool> ConnectAndRunAsync(CancellationToken cancellationToken)
    {
        _status.Update(s => s with { State = SyncState.Connecting });
        await _session.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        _status.Update(s => s with { State = SyncState.Downloading });
        await _session.DownloadAsync(cancellationToken).ConfigureAwait(false);
        _replica.SetConnected(true);
        await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        _status.Update(s => s with { State = SyncState.Live, LastError = null, NextAttemptIn = null });
        _logger.LogInformation("Connected to the relay; live");

        using var live = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var push = PushLoopAsync(live.Token);
        var tail = _session.RunLiveAsync(live.Token);
        var first = await Task.WhenAny(push, tail).ConfigureAwait(false);
        await live.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(push, tail).ConfigureAwait(false);
        }
        catch (Exception) when (!first.IsFaulted && live.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The other task's cancellation after the first ended normally.
        }
        catch (Exception) when (first.IsFaulted)
        {
            // Handled below from the first failure.
        }
        finally
        {
            _replica.SetConnected(false);
        }

        if (first.Exception?.InnerException is { } error)
        {
            if (cancellationToken.IsCancellationRequested || !IsRetryable(error))
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            }

            _logger.LogInformation("Connection to the relay dropped ({Error}); reconnecting", error.Message);
            _status.Update(s => s with { State = SyncState.Reconnecting, LastError = error.Message });
            return true;
        }

        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    private async Task PushLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _session.PushAllAsync(cancellationToken).ConfigureAwait(false);
            await GetStatusAsync(cancellationToken).ConfigureAwait(false);
            await _outboxSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void OnOutboxChanged(object? sender, OutboxChangedEventArgs e) => _outboxSignal.Set();

    private void OnOfflineModeChanged(object? sender, EventArgs e)
    {
        if (_replica.IsInOfflineMode)
        {
            _replica.SetConnected(false);
            _status.Update(s => s with { State = SyncState.Offline, NextAttemptIn = null });
            CancelEpisode();
        }
        else
        {
            _status.Update(s => s with { State = SyncState.Connecting });
            _wake.Set();
        }
    }

    private void Restart()
    {
        _wake.Set();
        CancelEpisode();
    }

    private void CancelEpisode()
    {
        lock (_lock)
        {
            try
            {
                _episode?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The episode just ended.
            }
        }
    }

    private static async Task WaitQuietlyAsync(AsyncSignal signal, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Retry with backoff unless the device itself is refused (token, identity, a malformed request) or offline mode was entered.</summary>
    private static bool IsRetryable(Exception error) => error switch
    {
        OperationCanceledException or OfflineModeException or ReplicaIdentityMismatchException => false,
        RelayTransportException transport => transport.Kind is not (RelayTransportErrorKind.Unauthenticated or RelayTransportErrorKind.PermissionDenied or RelayTransportErrorKind.InvalidArgument),
        _ => true,
    };
}
