using CrdtSync.Crdt.Schema;

namespace CrdtSync.Relay.Configuration;

/// <summary>The sync configuration the relay decides by, with the JSON document it was read from (sent in the handshake).</summary>
public sealed record RelaySyncConfiguration(SyncConfiguration Rules, string Json)
{
    /// <summary>Reads and parses the configuration named by <paramref name="options"/>.</summary>
    /// <exception cref="Crdt.Errors.ConfigurationException">The document is invalid.</exception>
    public static RelaySyncConfiguration Load(RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var json = options.ConfigurationJson ?? File.ReadAllText(options.ConfigurationPath);
        return new RelaySyncConfiguration(SyncConfigurationJson.Parse(json), json);
    }
}
