using System.Collections.Frozen;
using System.Net;
using System.Reflection;
using System.Text;

namespace CrdtSync.WebConsole.Assets;

/// <summary>The page, its style sheet and its script, read once from the assembly's embedded resources.</summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, (string ContentType, string Text)> Files = new Dictionary<string, (string, string)>
    {
        ["index.html"] = ("text/html; charset=utf-8", Read("index.html")),
        ["console.css"] = ("text/css; charset=utf-8", Read("console.css")),
        ["console.js"] = ("text/javascript; charset=utf-8", Read("console.js")),
    }.ToFrozenDictionary();

    /// <summary>A static file by name (<c>console.css</c>, <c>console.js</c>), or null.</summary>
    public static (string ContentType, string Text)? Get(string name) =>
        name != "index.html" && Files.TryGetValue(name, out var file) ? file : null;

    /// <summary>The page with this run's anti-forgery token in its <c>meta</c> tag.</summary>
    public static string Page(string token) => Files["index.html"].Text.Replace("{{token}}", WebUtility.HtmlEncode(token), StringComparison.Ordinal);

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CrdtSync.WebConsole.wwwroot." + name)
            ?? throw new InvalidOperationException($"The console's {name} is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
