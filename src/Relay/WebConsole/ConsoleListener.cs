using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// The console's own Kestrel endpoint (HTTP/1.1), set when Kestrel is configured. After the server starts,
/// <see cref="Address"/> holds the bound address (the real port when the configured one was 0).
/// </summary>
internal sealed class ConsoleListener
{
    private ListenOptions? _listen;

    /// <summary>Whether the configured URL is https.</summary>
    public bool Secure { get; private set; }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:5291/</c>; null when the console is not enabled.</summary>
    public Uri? Address => _listen?.IPEndPoint is { } endpoint
        ? new Uri($"{(Secure ? "https" : "http")}://{(endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString())}:{endpoint.Port}/")
        : null;

    /// <summary>The bound endpoint, or null.</summary>
    public IPEndPoint? EndPoint => _listen?.IPEndPoint;

    /// <summary>Records the endpoint Kestrel was told to bind.</summary>
    public void Bind(ListenOptions listen, bool secure)
    {
        _listen = listen;
        Secure = secure;
    }

    /// <summary>Whether a connection arrived on the console's endpoint.</summary>
    public bool Accepted(Microsoft.AspNetCore.Http.ConnectionInfo connection) =>
        _listen?.IPEndPoint is { } endpoint && connection.LocalPort == endpoint.Port && connection.LocalIpAddress is { } local
        && (local.Equals(endpoint.Address) || endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)
            || (local.IsIPv4MappedToIPv6 && local.MapToIPv4().Equals(endpoint.Address)));
}
