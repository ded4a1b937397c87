using System.Net;

namespace CrdtSync.WebConsole;

/// <summary>Checks the console's listening addresses: loopback http only.</summary>
internal static class ConsoleUrls
{
    public static IReadOnlyList<string> Validate(string urls)
    {
        var list = (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0)
        {
            throw new ConsoleAddressException(urls ?? string.Empty, "no address was given.");
        }

        foreach (var url in list)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                throw new ConsoleAddressException(url, "it is not an absolute URL.");
            }

            if (uri.Scheme != Uri.UriSchemeHttp)
            {
                throw new ConsoleAddressException(url, "only http is served (the console never leaves this machine).");
            }

            if (uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                throw new ConsoleAddressException(url, "a path or query is not allowed.");
            }

            var loopback = uri.Host == "localhost" || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                throw new ConsoleAddressException(url, "it is not a loopback address, and the console has no login.");
            }
        }

        return list;
    }
}
