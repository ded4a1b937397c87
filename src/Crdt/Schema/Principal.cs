namespace CrdtSync.Crdt.Schema;

/// <summary>Who is acting: a user name and the roles granted to them.</summary>
public sealed record Principal(string User, IReadOnlySet<string> Roles);
