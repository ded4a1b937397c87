using System.Net;
using CrdtSync.Relay.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrdtSync.Relay.Hosting;

/// <summary>
/// Binds Kestrel to the relay's addresses: cleartext HTTP/2 only (h2c) on <c>http://</c>, HTTP/1.1 and 2 over TLS on
/// <c>https://</c>. A non-loopback <c>http://</c> address is refused unless <see cref="RelayOptions.AllowInsecureRemote"/>.
/// </summary>
internal static class RelayKestrel
{
    public static void Configure(KestrelServerOptions kestrel, RelayOptions options)
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

            var address = url.Host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" or "0.0.0.0" => IPAddress.Any,
                "[::]" => IPAddress.IPv6Any,
                _ when IPAddress.TryParse(url.Host, out var parsed) => parsed,
                _ => throw new InvalidOperationException($"'{url.Host}' is not an IP address; listen on an address (127.0.0.1, 0.0.0.0, ...)."),
            };
            var secure = url.Scheme == Uri.UriSchemeHttps;
            if (!secure && !IPAddress.IsLoopback(address) && !options.AllowInsecureRemote)
            {
                throw new InvalidOperationException(
                    $"Refusing to serve {text} without TLS: device tokens would travel in clear. Use https:// (Relay:CertificatePath), " +
                    "or set Relay:AllowInsecureRemote=true if something in front of the relay terminates TLS.");
            }

            kestrel.Listen(address, url.Port, listen =>
            {
                if (secure)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    if (options.CertificatePath is { } certificate)
                    {
                        listen.UseHttps(certificate, options.CertificatePassword);
                    }
                    else
                    {
                        listen.UseHttps();
                    }
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            });
        }
    }
}
