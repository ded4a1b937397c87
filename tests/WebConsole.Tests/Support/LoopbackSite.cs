using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>A throwaway Kestrel site on 127.0.0.1 with an ephemeral port, configured by the test.</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackSite(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the site listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Builds the site with <paramref name="map"/> and starts listening.</summary>
    public static async Task<LoopbackSite> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Urls.Single();
        return new LoopbackSite(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
