using System.Net;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.WebConsole;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrdtSync.Relay.Hosting;

/// <summary>
/// Binds Kestrel to the relay's addresses: cleartext HTTP/2 only (h2c) on <c>http://</c>, HTTP/1.1 and 2 over TLS on
/// <c>https://</c>; and, when enabled, the console's own HTTP/1.1 endpoint (<see cref="RelayOptions.ConsoleUrl"/>). A non-loopback <c>http://</c> address is refused unless <see cref="RelayOptions.AllowInsecureRemote"/>.
/// </summary>
internal static class RelayKestrel
{
    public static void Configure(KestrelServerOptions kestrel, RelayOptions options, ConsoleListener console)
    {
        var urls = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            throw new InvalidOperationException("Relay:Urls names no address to listen on.");
        }

        foreach (var text in urls)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"'{text}' is not an http:// or https:// address.");
            }

            var address = AddressOf(text, url, options);
            var secure = url.Scheme == Uri.UriSchemeHttps;
            kestrel.Listen(address, url.Port, listen =>
            {
                if (secure)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    UseHttps(listen, options);
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            });
        }

        if (options.Console)
        {
            if (!Uri.TryCreate(options.ConsoleUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"Relay:ConsoleUrl '{options.ConsoleUrl}' is not an http:// or https:// address.");
            }

            RelayConsoleHosting.Listen(kestrel, AddressOf(options.ConsoleUrl, url, options), url, options, console);
        }
    }

    /// <summary>The IP address to bind for <paramref name="url"/>; refuses a non-loopback http:// address unless <see cref="RelayOptions.AllowInsecureRemote"/>.</summary>
    private static IPAddress AddressOf(string text, Uri url, RelayOptions options)
    {
        var address = url.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" or "0.0.0.0" => IPAddress.Any,
            "[::]" => IPAddress.IPv6Any,
            _ when IPAddress.TryParse(url.Host, out var parsed) => parsed,
            _ => throw new InvalidOperationException($"'{url.Host}' is not an IP address; listen on an address (127.0.0.1, 0.0.0.0, ...)."),
        };
        if (url.Scheme != Uri.UriSchemeHttps && !IPAddress.IsLoopback(address) && !options.AllowInsecureRemote)
        {
            throw new InvalidOperationException(
                $"Refusing to serve {text} without TLS: device tokens and console sessions would travel in clear. Use https:// (Relay:CertificatePath), " +
                "or set Relay:AllowInsecureRemote=true if something in front of the relay terminates TLS.");
        }

        return address;
    }

    /// <summary>TLS on a listener: the configured certificate file, or the development certificate when none is set.</summary>
    internal static void UseHttps(ListenOptions listen, RelayOptions options)
    {
        if (options.CertificatePath is { } certificate)
        {
            listen.UseHttps(certificate, options.CertificatePassword);
        }
        else
        {
            listen.UseHttps();
        }
    }
}
