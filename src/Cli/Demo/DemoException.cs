namespace CrdtSync.Cli.Demo;

/// <summary>The demo saw something other than what the story promises: it stops and says what.</summary>
internal sealed class DemoException(string message) : Exception(message);
