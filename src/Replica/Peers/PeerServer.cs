using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// A replica's peer endpoint: Kestrel serving <c>crdtsync.v1.Peer</c> on one address, opt-in. Cleartext HTTP/2 (h2c) on
/// loopback; TLS (<see cref="PeerServerOptions.CertificatePath"/>) anywhere else unless explicitly overridden.
/// </summary>
public sealed class PeerServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where peers reach this replica, e.g. <c>http://127.0.0.2:41234</c>.</summary>
    public Uri Address { get; }

    /// <summary>Starts serving <paramref name="replica"/> to its peers.</summary>
    /// <exception cref="ArgumentException">No team secret, or one too short.</exception>
    /// <exception cref="InvalidOperationException">A non-loopback address without TLS and without <see cref="PeerServerOptions.AllowInsecureRemote"/>.</exception>
    public static async Task<PeerServer> StartAsync(ReplicaStore replica, PeerServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(options);
        var team = new TeamCredential(options.TeamSecret);
        if (!IPAddress.TryParse(options.ListenAddress, out var address))
        {
            throw new ArgumentException($"'{options.ListenAddress}' is not an IP address; listen on an address (127.0.0.2, 192.168.1.20, 0.0.0.0, ...).", nameof(options));
        }

        var secure = options.CertificatePath is not null;
        if (!secure && !IPAddress.IsLoopback(address) && !options.AllowInsecureRemote)
        {
            throw new InvalidOperationException(
                $"Refusing to serve peers on {address} without TLS: the team secret would travel in clear. Give a certificate " +
                "(CertificatePath), or set AllowInsecureRemote if the network is trusted.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, options.Port, listen =>
        {
            if (secure)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(options.CertificatePath!, options.CertificatePassword);
            }
            else
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));
        builder.Services.AddSingleton(replica);
        builder.Services.AddSingleton(team);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<PeerServerInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<PeerServerInterceptor>();
            grpc.MaxReceiveMessageSize = options.MessageBytesMax;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = false;
        });
        var app = builder.Build();
        app.MapGrpcService<PeerService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var server = new PeerServer(app, new Uri($"{(secure ? "https" : "http")}://{host}:{port}"));
        (loggerFactory?.CreateLogger<PeerServer>())?.LogInformation("Serving peers of replica {ReplicaId} at {Address}", replica.ReplicaId, server.Address);
        return server;
    }

    /// <summary>Stops serving (open calls are cancelled).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
