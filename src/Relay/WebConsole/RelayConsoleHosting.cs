using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrdtSync.Relay.WebConsole;

/// <summary>Registers, binds and maps the relay console (the hosting code calls these; the console is off unless <see cref="RelayOptions.Console"/>).</summary>
internal static class RelayConsoleHosting
{
    /// <summary>The console's services. The activity interceptor is always on the sync service and notes nothing while the console is off.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddOptions<RelayConsoleOptions>().BindConfiguration(RelayConsoleOptions.SectionName);
        services.TryAddSingleton<ConsoleListener>();
        services.AddSingleton<ConsoleActivity>();
        services.AddSingleton<ConsoleActivityInterceptor>();
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleSignInLimiter>();
        services.AddSingleton<ConsoleMetrics>();
        services.AddSingleton<ConsoleQueries>();
        services.AddHostedService<ConsoleActivityFlusher>();
    }

    /// <summary>Binds the console's HTTP/1.1 endpoint on <paramref name="kestrel"/> at <paramref name="url"/>.</summary>
    public static void Listen(KestrelServerOptions kestrel, System.Net.IPAddress address, Uri url, RelayOptions options, ConsoleListener listener)
    {
        var secure = url.Scheme == Uri.UriSchemeHttps;
        kestrel.Listen(address, url.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (secure)
            {
                RelayKestrel.UseHttps(listen, options);
            }

            listener.Bind(listen, secure);
        });
    }

    /// <summary>Adds the console's gate to the pipeline and maps its routes.</summary>
    public static void Map(WebApplication app)
    {
        app.UseMiddleware<ConsoleGate>();
        ConsoleEndpoints.Map(app);
    }
}
