using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Api;
using CrdtSync.WebConsole.Live;
using CrdtSync.WebConsole.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrdtSync.WebConsole;

/// <summary>
/// The replica console running in this process: a small web app on loopback that shows one replica (records with their
/// status marks, the outbox, offline mode, sync) and drives it. The replica and the sync client stay the caller's: the
/// console never disposes them. See docs/console.md.
/// </summary>
/// <example>
/// <code>
/// await using var console = await ReplicaConsoleHost.StartAsync(replica, syncClient, new ReplicaConsoleOptions { Urls = "http://127.0.0.1:0" });
/// Console.WriteLine(console.Address);
/// </code>
/// </example>
public sealed class ReplicaConsoleHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReplicaConsoleHost(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>The header every state-changing call must carry; the page reads its value from its <c>crdtsync-token</c> meta tag.</summary>
    public const string AntiForgeryHeader = ConsoleSecurity.TokenHeader;

    /// <summary>Every address the console listens on.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The address to open in a browser, e.g. <c>http://127.0.0.1:5380/</c> (the IPv4 loopback one when there is one).</summary>
    public Uri Address => Addresses.FirstOrDefault(a => a.Host == "127.0.0.1") ?? Addresses[0];

    /// <summary>Starts serving <paramref name="replica"/> (and, when given, syncing through <paramref name="sync"/>).</summary>
    /// <param name="replica">The replica to show and drive; it must stay open while the console runs.</param>
    /// <param name="sync">The replica's sync client, or null for a replica without a relay (sync and download then answer <c>no_relay</c>).</param>
    /// <param name="options">Where to listen and limits; defaults to <see cref="ReplicaConsoleOptions.DefaultUrls"/>.</param>
    /// <param name="configure">Adjusts the web application before it is built (logging, a <see cref="TimeProvider"/>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ConsoleAddressException">An address is not loopback http.</exception>
    public static async Task<ReplicaConsoleHost> StartAsync(ReplicaStore replica, SyncClient? sync, ReplicaConsoleOptions? options = null,
        Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        options ??= new ReplicaConsoleOptions();
        var urls = ConsoleUrls.Validate(options.Urls);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls([.. urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        // The console says where it listens itself; the host's start-up chatter is noise for it.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddSingleton(replica);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ReplicaConsoleOptions>>().Value);
        builder.Services.AddSingleton(sp => new ConsoleEventHub(replica, sync));
        builder.Services.AddSingleton(sp => new ConsoleSync(replica, sync, sp.GetRequiredService<ConsoleEventHub>()));
        builder.Services.AddSingleton<ConsoleSecurity>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        configure?.Invoke(builder);

        var app = builder.Build();
        var security = app.Services.GetRequiredService<ConsoleSecurity>();
        app.Use((context, next) => security.InvokeAsync(context, ctx => next(ctx)));
        ConsoleEndpoints.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.EndsWith('/') ? a : a + "/")).ToArray();
        return new ReplicaConsoleHost(app, addresses);
    }

    /// <summary>Stops serving: open event streams end, the replica stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        // End the event streams first, so the server does not wait on them while it stops.
        _app.Services.GetRequiredService<ConsoleEventHub>().Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
