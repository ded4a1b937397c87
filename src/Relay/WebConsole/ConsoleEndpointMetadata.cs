namespace CrdtSync.Relay.WebConsole;

/// <summary>Marks an endpoint as the console's: served only on the console's listener (and nothing else is).</summary>
internal sealed class ConsoleEndpointMetadata
{
    public static readonly ConsoleEndpointMetadata Instance = new();
}
