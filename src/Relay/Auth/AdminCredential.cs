namespace CrdtSync.Relay.Auth;

/// <summary>The admin credential in force, and the file it was read from (null when given in the options).</summary>
public sealed record AdminCredential(string Value, string? FilePath);
