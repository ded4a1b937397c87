namespace CrdtSync.Testing;

/// <summary>A user of the simulated app and the roles granted to them when the simulation starts.</summary>
/// <param name="Name">The user name (what <c>$user</c> stands for).</param>
/// <param name="Roles">Roles of the configuration granted at the start.</param>
public sealed record SimulationUser(string Name, IReadOnlyList<string> Roles);
