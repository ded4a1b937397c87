using System.Net;
using System.Net.Sockets;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Peers;
using CrdtSync.Replica.Peers.Discovery;
using Microsoft.Extensions.Options;

namespace CrdtSync.Peers.Tests.Discovery;

/// <summary>The discovery loop on real sockets: UDP multicast on the loopback interface, Kestrel peer endpoints on 127.0.0.x.</summary>
public sealed class DiscoveryTests : IAsyncLifetime
{
    private readonly string _group = $"239.255.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";
    private readonly int _port = FreeUdpPort();
    private readonly List<PeerDiscoveryService> _services = [];
    private PeerNode _ana = null!;
    private PeerNode _ben = null!;

    public async Task InitializeAsync()
    {
        _ana = await PeerNode.CreateAsync("ana", "127.0.0.2");
        _ben = await PeerNode.CreateAsync("ben", "127.0.0.3");
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
        }

        await _ana.DisposeAsync();
        await _ben.DisposeAsync();
    }

    [Fact]
    public async Task Two_replicas_announcing_on_loopback_multicast_find_each_other_and_converge()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Pump down"), ("priority", 2)));
        await StartAsync(_ana, multicast: true, advertise: true);
        var ben = await StartAsync(_ben, multicast: true, advertise: true);

        await Eventually.HoldsAsync(async () => await _ben.Replica.GetAsync("incidents", id.Text) is not null, "ben received ana's record through an announced peer");

        Assert.Equal(_ana.Address, ben.Directory.Announced()[_ana.Replica.ReplicaId]);
        Assert.Empty(ben.Directory.Current().Except([_ana.Address]));
    }

    [Fact]
    public async Task Announcements_of_strangers_of_itself_of_cleartext_remote_addresses_and_garbage_are_ignored()
    {
        var ben = await StartAsync(_ben, multicast: true, advertise: false);
        var team = new TeamCredential(PeerNodeSecrets.Team).TeamTag;
        var stranger = new TeamCredential(PeerNodeSecrets.Stranger).TeamTag;
        var welcome = new Uri("http://127.0.0.5:5300");

        using var socket = Sender();
        await SendAsync(socket, new PeerAnnouncement(stranger, new ReplicaId(9, 1), new Uri("http://127.0.0.9:5300")).Encode());
        await SendAsync(socket, new PeerAnnouncement(team, _ben.Replica.ReplicaId, new Uri("http://127.0.0.8:5300")).Encode());
        await SendAsync(socket, new PeerAnnouncement(team, new ReplicaId(9, 2), new Uri("http://192.0.2.7:5300")).Encode());
        await SendAsync(socket, [PeerAnnouncement.Version, 1, 2, 3]);
        await SendAsync(socket, new PeerAnnouncement(team, new ReplicaId(9, 3), welcome).Encode());

        await Eventually.HoldsAsync(() => ben.Directory.Announced().Count > 0, "the team's announcement was heard");
        var announced = Assert.Single(ben.Directory.Announced());
        Assert.Equal((new ReplicaId(9, 3), welcome), (announced.Key, announced.Value));
    }

    [Fact]
    public async Task An_announcement_over_tls_off_loopback_is_accepted()
    {
        var ben = await StartAsync(_ben, multicast: true, advertise: false);
        var secure = new Uri("https://192.0.2.7:5300");

        using var socket = Sender();
        await SendAsync(socket, new PeerAnnouncement(new TeamCredential(PeerNodeSecrets.Team).TeamTag, new ReplicaId(9, 4), secure).Encode());

        await Eventually.HoldsAsync(() => ben.Directory.Announced().Count > 0, "the TLS announcement was heard");
        Assert.Equal(secure, ben.Directory.Announced()[new ReplicaId(9, 4)]);
    }

    [Fact]
    public async Task A_listed_peer_is_synced_without_any_announcement_and_a_listed_peer_that_is_down_is_reported_not_thrown()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Gate stuck"), ("priority", 1)));
        var down = new Uri($"http://127.0.0.6:{FreeTcpPort()}");
        using var ben = Create(_ben, multicast: false, advertise: false, listed: [down, _ana.Address]);

        var attempts = await ben.SyncOnceAsync();

        Assert.Equal([down, _ana.Address], attempts.Select(a => a.Address));
        Assert.IsType<PeerUnreachableException>(attempts[0].Error);
        Assert.Equal(1, attempts[1].Report!.Received);
        Assert.NotNull(await _ben.Replica.GetAsync("incidents", id.Text));
    }

    [Fact]
    public async Task A_listed_cleartext_address_off_loopback_is_refused_before_anything_is_sent()
    {
        using var ben = Create(_ben, multicast: false, advertise: false, listed: [new Uri("http://192.0.2.7:5300")]);

        var attempt = Assert.Single(await ben.SyncOnceAsync());

        var refused = Assert.IsType<ArgumentException>(attempt.Error);
        Assert.Contains("without TLS", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_background_loop_syncs_listed_peers_and_reports_each_round()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Roof leak"), ("priority", 3)));
        var rounds = new List<PeerSyncAttempt>();
        var ben = Create(_ben, multicast: false, advertise: false, listed: [_ana.Address]);
        ben.Synced += (_, attempt) =>
        {
            lock (rounds)
            {
                rounds.Add(attempt);
            }
        };
        _services.Add(ben);
        await ben.StartAsync(CancellationToken.None);

        await Eventually.HoldsAsync(async () => await _ben.Replica.GetAsync("incidents", id.Text) is not null, "the loop synced with the listed peer");
        // The round is reported once it ends, after the record was applied.
        await Eventually.HoldsAsync(
            () =>
            {
                lock (rounds)
                {
                    return rounds.Any(r => r.Address == _ana.Address && r.Succeeded);
                }
            },
            "the loop reported a successful round with the listed peer");
    }

    private async Task<PeerDiscoveryService> StartAsync(PeerNode node, bool multicast, bool advertise)
    {
        var service = Create(node, multicast, advertise, []);
        _services.Add(service);
        await service.StartAsync(CancellationToken.None);
        return service;
    }

    private PeerDiscoveryService Create(PeerNode node, bool multicast, bool advertise, Uri[] listed)
    {
        var options = new PeerDiscoveryOptions
        {
            Client = new PeerClientOptions { TeamSecret = PeerNodeSecrets.Team },
            Multicast = multicast,
            MulticastGroup = _group,
            MulticastPort = _port,
            MulticastInterface = "127.0.0.1",
            AdvertisedAddress = advertise ? node.Address : null,
            AnnounceInterval = TimeSpan.FromMilliseconds(100),
            SyncInterval = TimeSpan.FromHours(1), // only the first round and announcements of new peers start one here
        };
        foreach (var address in listed)
        {
            options.Peers.Add(address);
        }

        return new PeerDiscoveryService(node.Replica, Options.Create(options));
    }

    private static Socket Sender()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Loopback.GetAddressBytes());
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    /// <summary>Sends a few times, as the loop does: a datagram may be sent before the listener joined the group.</summary>
    private async Task SendAsync(Socket socket, byte[] datagram)
    {
        for (var i = 0; i < 3; i++)
        {
            await socket.SendToAsync(datagram, SocketFlags.None, new IPEndPoint(IPAddress.Parse(_group), _port));
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Parse("127.0.0.6"), 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
