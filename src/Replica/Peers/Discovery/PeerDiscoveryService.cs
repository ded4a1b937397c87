using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>
/// Keeps a replica in sync with its team on the LAN, in the background: syncs with every listed and announced peer each
/// <see cref="PeerDiscoveryOptions.SyncInterval"/> (and at once with a newly announced one) and, when
/// <see cref="PeerDiscoveryOptions.Multicast"/> is on, listens to the team's UDP multicast announcements and announces
/// <see cref="PeerDiscoveryOptions.AdvertisedAddress"/>. Announcements of another team (another tag), of this replica
/// itself, or naming a cleartext address off loopback are ignored.
/// </summary>
public sealed class PeerDiscoveryService : BackgroundService
{
    private readonly ReplicaStore _replica;
    private readonly PeerDiscoveryOptions _options;
    private readonly TeamCredential _team;
    private readonly PeerClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private MulticastAnnouncementSocket? _socket;

    /// <summary>Creates the service for <paramref name="replica"/> (start it with <see cref="BackgroundService.StartAsync"/> or as a hosted service).</summary>
    /// <exception cref="ArgumentException">No team secret or one too short, or an advertised address that is not http(s).</exception>
    public PeerDiscoveryService(ReplicaStore replica, IOptions<PeerDiscoveryOptions> options, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(options);
        _replica = replica;
        _options = options.Value;
        _team = new TeamCredential(_options.Client.TeamSecret);
        _time = time ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<PeerDiscoveryService>();
        _client = new PeerClient(replica, _options.Client, loggerFactory.CreateLogger<PeerClient>());
        Directory = new PeerDirectory(_options.Peers, _options.AnnouncementLifetime, _time);
        if (_options.AdvertisedAddress is { } advertised)
        {
            _ = new PeerAnnouncement(_team.TeamTag, replica.ReplicaId, advertised).Encode(); // refuses a bad address now, not in the loop
        }
    }

    /// <summary>The peers known now (listed and announced).</summary>
    public PeerDirectory Directory { get; }

    /// <summary>Raised after every round with a peer, successful or not (on the loop's thread).</summary>
    public event EventHandler<PeerSyncAttempt>? Synced;

    /// <summary>One round with every peer known now, one after another; failures are reported, not thrown.</summary>
    public async Task<IReadOnlyList<PeerSyncAttempt>> SyncOnceAsync(CancellationToken cancellationToken = default)
    {
        var attempts = new List<PeerSyncAttempt>();
        foreach (var address in Directory.Current())
        {
            PeerSyncAttempt attempt;
            try
            {
                var report = await _client.SyncWithAsync(address, cancellationToken).ConfigureAwait(false);
                attempt = new PeerSyncAttempt(address, report, null);
                PeerDiscoveryMetrics.ReceivedChanges.Add(report.Received);
            }
            catch (Exception error) when (error is PeerUnreachableException or PeerProtocolException or ArgumentException)
            {
                _logger.LogWarning("Peer sync with {Address} failed: {Reason}", address, error.Message);
                attempt = new PeerSyncAttempt(address, null, error);
            }

            PeerDiscoveryMetrics.Syncs.Add(1, new KeyValuePair<string, object?>("outcome", attempt.Succeeded ? "synced" : "failed"));
            attempts.Add(attempt);
            Synced?.Invoke(this, attempt);
        }

        return attempts;
    }

    /// <summary>Joins the multicast group (when on) before the loops start, so a bad group or interface fails here, then starts them.</summary>
    /// <exception cref="ArgumentException">The multicast group or interface is not an IPv4 address of the right kind.</exception>
    /// <exception cref="SocketException">The group could not be joined on that interface.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _socket ??= _options.Multicast ? MulticastAnnouncementSocket.Open(_options) : null;
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket;
        var loops = new List<Task> { SyncLoopAsync(stoppingToken) };
        if (socket is not null)
        {
            loops.Add(ListenAsync(socket, stoppingToken));
            if (_options.AdvertisedAddress is { } advertised)
            {
                loops.Add(AnnounceAsync(socket, new PeerAnnouncement(_team.TeamTag, _replica.ReplicaId, advertised).Encode(), stoppingToken));
            }
        }

        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _socket?.Dispose();
        _client.Dispose();
        _wake.Dispose();
    }

    private async Task SyncLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await SyncOnceAsync(stoppingToken).ConfigureAwait(false);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var woken = _wake.WaitAsync(waiting.Token);
            await Task.WhenAny(woken, Task.Delay(_options.SyncInterval, _time, waiting.Token)).ConfigureAwait(false);
            await waiting.CancelAsync().ConfigureAwait(false);
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    private async Task AnnounceAsync(MulticastAnnouncementSocket socket, byte[] announcement, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await socket.SendAsync(announcement, stoppingToken).ConfigureAwait(false);
            }
            catch (SocketException error)
            {
                _logger.LogWarning("Could not announce this replica: {Reason}", error.Message);
            }

            await Task.Delay(_options.AnnounceInterval, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ListenAsync(MulticastAnnouncementSocket socket, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            byte[] datagram;
            try
            {
                datagram = await socket.ReceiveAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (SocketException error)
            {
                _logger.LogWarning("Could not receive announcements: {Reason}", error.Message);
                await Task.Delay(_options.AnnounceInterval, _time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            var outcome = Hear(datagram);
            PeerDiscoveryMetrics.Announcements.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private string Hear(byte[] datagram)
    {
        PeerAnnouncement announcement;
        try
        {
            announcement = PeerAnnouncement.Decode(datagram);
        }
        catch (PeerProtocolException error)
        {
            _logger.LogDebug("Ignored a datagram on the announcement group: {Reason}", error.Message);
            return "invalid";
        }

        if (!announcement.IsFrom(_team))
        {
            return "stranger";
        }

        if (announcement.Replica == _replica.ReplicaId)
        {
            return "self";
        }

        if (!PeerDirectory.IsCallable(announcement.Address, _options.Client.AllowInsecureRemote))
        {
            _logger.LogWarning("Ignored peer {Replica} announcing {Address}: cleartext off loopback would send the team secret in clear", announcement.Replica, announcement.Address);
            return "insecure";
        }

        if (Directory.Heard(announcement.Replica, announcement.Address))
        {
            _logger.LogInformation("Found peer {Replica} at {Address}", announcement.Replica, announcement.Address);
            _wake.Release();
        }

        return "accepted";
    }
}
