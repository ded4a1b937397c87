namespace CrdtSync.WebConsole;

/// <summary>The console was asked to listen somewhere other than loopback http; it serves one replica to this machine only.</summary>
public sealed class ConsoleAddressException(string url, string why)
    : Exception($"The console cannot listen on '{url}': {why} Use a loopback address such as http://127.0.0.1:5380.")
{
    /// <summary>The address refused.</summary>
    public string Url { get; } = url;
}
