using System.Text.Json;
using CrdtSync.Cli.Input;

namespace CrdtSync.Cli.Commands;

/// <summary>
/// The manual peer list of a replica file, kept beside it in <c>&lt;file&gt;.peers.json</c>: the addresses
/// <c>peer sync</c> and <c>peer serve</c> sync with (announced peers come on top of these).
/// </summary>
internal sealed record PeerList(IReadOnlyList<Uri> Peers)
{
    public static string PathFor(FileInfo replica) => replica.FullName + ".peers.json";

    public static PeerList Load(FileInfo replica)
    {
        var path = PathFor(replica);
        if (!File.Exists(path))
        {
            return new PeerList([]);
        }

        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new CliUsageException($"{path} is not a peer list ({error.Message}); fix or delete it.");
        }

        return new PeerList([.. (stored?.Peers ?? []).Select(ParseAddress)]);
    }

    public void Save(FileInfo replica) =>
        File.WriteAllText(PathFor(replica), JsonSerializer.Serialize(new Stored([.. Peers.Select(p => p.ToString())]), new JsonSerializerOptions { WriteIndented = true }));

    public PeerList With(IEnumerable<Uri> added, IEnumerable<Uri> removed) =>
        new([.. Peers.Concat(added).Distinct().Except(removed)]);

    /// <summary>A peer address from the command line or the file: an absolute http:// or https:// URI.</summary>
    public static Uri ParseAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliUsageException($"'{text}' is not a peer address; write it like http://127.0.0.2:5300 (https:// off loopback).");

    private sealed record Stored(string[] Peers);
}
