using CrdtSync.Crdt.Clocks;
using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.WebConsole;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CrdtSync.Relay.Hosting;

/// <summary>
/// A relay running in this process (tests, <c>crdtsync relay serve</c>, <c>crdtsync demo</c>): start it on
/// <c>http://127.0.0.1:0</c> and read <see cref="Address"/> to learn the port it bound.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RelayHost(WebApplication app, IReadOnlyList<Uri> addresses, string adminCredential, Uri? consoleAddress)
    {
        _app = app;
        Addresses = addresses;
        AdminCredential = adminCredential;
        ConsoleAddress = consoleAddress;
    }

    /// <summary>Every address the sync endpoint listens on (not the console's).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The first address, e.g. <c>http://127.0.0.1:41234</c>: give it to <c>GrpcChannel.ForAddress</c>.</summary>
    public Uri Address => Addresses[0];

    /// <summary>The admin credential (bearer token of the admin service, and the console's sign-in).</summary>
    public string AdminCredential { get; }

    /// <summary>The relay console's address (e.g. <c>http://127.0.0.1:5291/</c>), or null when <see cref="RelayOptions.Console"/> is off.</summary>
    public Uri? ConsoleAddress { get; }

    /// <summary>The relay's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts a relay with <paramref name="options"/>; <paramref name="configure"/> may replace services (a <see cref="TimeProvider"/>, a store) or logging.</summary>
    public static async Task<RelayHost> StartAsync(RelayOptions options, Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = Build(options, [], configure);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var console = app.Services.GetRequiredService<ConsoleListener>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).Where(a => console.EndPoint is not { } bound || a.Port != bound.Port).ToArray();
        return new RelayHost(app, addresses, app.Services.GetRequiredService<AdminCredential>().Value, console.Address);
    }

    /// <summary>
    /// Builds the relay's web application without starting it: Kestrel bound per <paramref name="options"/>, the relay's
    /// services and endpoints (and the console's, when <see cref="RelayOptions.Console"/>). <paramref name="args"/> feed the usual ASP.NET Core configuration sources.
    /// </summary>
    public static WebApplication Build(RelayOptions options, string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var console = new ConsoleListener();
        builder.WebHost.ConfigureKestrel(kestrel => RelayKestrel.Configure(kestrel, options, console));
        builder.Services.AddSingleton(console);
        builder.Services.AddCrdtSyncRelay(o => Copy(options, o));
        configure?.Invoke(builder);
        var app = builder.Build();
        if (options.Console)
        {
            RelayConsoleHosting.Map(app);
        }

        app.MapCrdtSyncRelay();
        return app;
    }

    /// <summary>Registers a device for <paramref name="user"/>, grants it <paramref name="roles"/>, and returns its credential.</summary>
    public async Task<DeviceCredential> CreateDeviceAsync(string user, IEnumerable<string> roles, ReplicaId? replica = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var registry = Services.GetRequiredService<DeviceRegistry>();
        foreach (var role in roles)
        {
            await registry.SetRoleAsync(user, role, true, cancellationToken).ConfigureAwait(false);
        }

        var (token, id) = await registry.CreateDeviceAsync(user, replica, user, cancellationToken).ConfigureAwait(false);
        return new DeviceCredential(id, user, token);
    }

    /// <summary>Stops serving (open streams are cancelled).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Copy(RelayOptions from, RelayOptions to)
    {
        to.Urls = from.Urls;
        to.DataDirectory = from.DataDirectory;
        to.ConfigurationPath = from.ConfigurationPath;
        to.ConfigurationJson = from.ConfigurationJson;
        to.AdminCredential = from.AdminCredential;
        to.AllowInsecureRemote = from.AllowInsecureRemote;
        to.CertificatePath = from.CertificatePath;
        to.CertificatePassword = from.CertificatePassword;
        to.SubscriberRecheckInterval = from.SubscriberRecheckInterval;
        to.DatabaseFileName = from.DatabaseFileName;
        to.Store = from.Store;
        to.PostgresConnectionString = from.PostgresConnectionString;
        to.Console = from.Console;
        to.ConsoleUrl = from.ConsoleUrl;
    }
}
