namespace CrdtSync.Testing;

/// <summary>Thrown at a fault point to stop a simulated process mid-operation; the simulator then reopens it from its files.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
