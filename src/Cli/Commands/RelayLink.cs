using System.Text.Json;
using CrdtSync.Cli.Input;

namespace CrdtSync.Cli.Commands;

/// <summary>
/// Where a replica file syncs to: the relay's address and the device token, kept beside the replica in
/// <c>&lt;file&gt;.relay.json</c> (readable by its owner only) so later commands can connect again.
/// </summary>
internal sealed record RelayLink(Uri Relay, string Token)
{
    public static string PathFor(FileInfo replica) => replica.FullName + ".relay.json";

    public void Save(FileInfo replica)
    {
        var path = PathFor(replica);
        File.WriteAllText(path, JsonSerializer.Serialize(new Stored(Relay.ToString(), Token)));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public static RelayLink Load(FileInfo replica)
    {
        var path = PathFor(replica);
        if (!File.Exists(path))
        {
            throw new CliUsageException($"{replica.Name} is not linked to a relay. Run 'crdtsync replica init --db {replica.Name} --relay <address> --token <token>' first.");
        }

        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)) ?? throw new CliUsageException($"{path} is damaged; run init again.");
        return new RelayLink(new Uri(stored.Relay), stored.Token);
    }

    private sealed record Stored(string Relay, string Token);
}
