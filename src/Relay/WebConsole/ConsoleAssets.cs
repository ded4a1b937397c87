using System.Collections.Frozen;

namespace CrdtSync.Relay.WebConsole;

/// <summary>The console's page, stylesheet and script, embedded in the relay assembly (no external resources).</summary>
internal static class ConsoleAssets
{
    private static readonly Lazy<FrozenDictionary<string, (byte[] Bytes, string ContentType)>> Files = new(Load);

    /// <summary>The served paths and the embedded file each serves.</summary>
    public static readonly IReadOnlyDictionary<string, string> Routes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["/"] = "index.html",
        ["/console.css"] = "console.css",
        ["/console.js"] = "console.js",
    };

    public static IResult Serve(string file)
    {
        var (bytes, contentType) = Files.Value[file];
        return Results.Bytes(bytes, contentType);
    }

    private static FrozenDictionary<string, (byte[] Bytes, string ContentType)> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        return Routes.Values.ToFrozenDictionary(file => file, file =>
        {
            using var stream = assembly.GetManifestResourceStream("CrdtSync.Relay.WebConsole.Assets." + file)
                ?? throw new InvalidOperationException($"The console's {file} is not embedded in {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "text/javascript; charset=utf-8",
            };
            return (copy.ToArray(), type);
        }, StringComparer.Ordinal);
    }
}
