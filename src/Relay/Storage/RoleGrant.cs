namespace CrdtSync.Relay.Storage;

/// <summary>One role granted to one user.</summary>
public readonly record struct RoleGrant(string User, string Role);
