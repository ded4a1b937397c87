using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Peers;

namespace CrdtSync.Peers.Tests.Discovery;

/// <summary>TLS between peers: a team's self-signed certificate, pinned by its SHA-256; cleartext is refused off loopback on both sides.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _certificatePath = Path.Combine(Path.GetTempPath(), $"crdtsync-peer-{Guid.NewGuid():N}.pfx");
    private string _pin = string.Empty;
    private PeerNode _ana = null!;
    private PeerNode _ben = null!;

    public async Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=crdtsync team", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse("127.0.0.2"));
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllBytesAsync(_certificatePath, certificate.Export(X509ContentType.Pkcs12, "team-pfx-password"));
        _pin = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        _ana = await PeerNode.CreateAsync("ana");
        _ben = await PeerNode.CreateAsync("ben");
    }

    public async Task DisposeAsync()
    {
        await _ana.DisposeAsync();
        await _ben.DisposeAsync();
        File.Delete(_certificatePath);
    }

    [Fact]
    public async Task A_peer_serving_tls_with_the_teams_certificate_syncs_with_a_client_that_pins_it()
    {
        var id = await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Pump down"), ("priority", 2)));
        await using var server = await ServeTlsAsync();
        using var client = new PeerClient(_ben.Replica, new PeerClientOptions { TeamSecret = PeerNode.TeamSecret, PinnedCertificateSha256 = _pin });

        var report = await client.SyncWithAsync(server.Address);

        Assert.Equal(Uri.UriSchemeHttps, server.Address.Scheme);
        Assert.Equal(1, report.Received);
        Assert.NotNull(await _ben.Replica.GetAsync("incidents", id.Text));
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused_before_the_team_secret_travels()
    {
        await _ana.Replica.CreateAsync("incidents", Fields.Of(("title", "Pump down"), ("priority", 2)));
        await using var server = await ServeTlsAsync();
        using var client = new PeerClient(_ben.Replica, new PeerClientOptions { TeamSecret = PeerNode.TeamSecret, PinnedCertificateSha256 = new string('0', 64) });

        var refused = await Assert.ThrowsAsync<PeerUnreachableException>(() => client.SyncWithAsync(server.Address));

        Assert.NotEqual(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Empty(_ben.VisibleStates());
    }

    [Fact]
    public async Task A_client_refuses_to_call_a_cleartext_address_off_loopback()
    {
        using var client = new PeerClient(_ben.Replica, new PeerClientOptions { TeamSecret = PeerNode.TeamSecret });

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => client.SyncWithAsync(new Uri("http://192.0.2.7:5300")));

        Assert.Contains("without TLS", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_cleartext_on_a_lan_address_is_refused()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PeerServer.StartAsync(_ana.Replica, new PeerServerOptions { ListenAddress = "192.0.2.7", TeamSecret = PeerNode.TeamSecret }));

        Assert.Contains("without TLS", refused.Message, StringComparison.Ordinal);
    }

    private Task<PeerServer> ServeTlsAsync() => PeerServer.StartAsync(_ana.Replica, new PeerServerOptions
    {
        ListenAddress = "127.0.0.2",
        TeamSecret = PeerNode.TeamSecret,
        CertificatePath = _certificatePath,
        CertificatePassword = "team-pfx-password",
    });
}
