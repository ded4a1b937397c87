namespace CrdtSync.Relay.Configuration;

/// <summary>
/// The relay console's security and bookkeeping settings (section <c>Relay:ConsoleSettings</c>). Whether the console
/// runs, and where, are <see cref="RelayOptions.Console"/> and <see cref="RelayOptions.ConsoleUrl"/>.
/// </summary>
public sealed class RelayConsoleOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Relay:ConsoleSettings";

    /// <summary>How long a sign-in lasts; the operator signs in again after it.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Wrong credentials one client address may send within <see cref="SignInFailureWindow"/> before every sign-in from it is answered 429.</summary>
    public int SignInFailuresMax { get; set; } = 5;

    /// <summary>The window over which wrong credentials are counted; the lock-out ends when it does.</summary>
    public TimeSpan SignInFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often what the console records of device activity and outcomes is written to the store (reads of the console write it first).</summary>
    public TimeSpan ActivityFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Host names (with or without a port) the console also answers to, besides its own address (and <c>localhost</c>
    /// on loopback): e.g. the name of a proxy in front of it. Any other <c>Host</c> header is refused (DNS rebinding).
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];
}
