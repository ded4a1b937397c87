namespace CrdtSync.Testing;

/// <summary>What to simulate: the sync configuration, the users, how many replicas and steps, and the mix of steps.</summary>
public sealed class SimulationOptions
{
    /// <summary>The relay's sync configuration document (docs/configuration.md). Defaults to <see cref="SimulationConfigurations.Incidents"/>.</summary>
    public string ConfigurationJson { get; set; } = SimulationConfigurations.Incidents;

    /// <summary>The users; replica <c>i</c> belongs to user <c>i % Users.Count</c>.</summary>
    public IReadOnlyList<SimulationUser> Users { get; set; } = SimulationConfigurations.IncidentsUsers;

    /// <summary>Roles that grant and revoke steps toggle (default: every role of the configuration).</summary>
    public IReadOnlyList<string>? GrantableRoles { get; set; }

    /// <summary>Number of replicas (devices).</summary>
    public int ReplicaCount { get; set; } = 3;

    /// <summary>Steps per generated schedule.</summary>
    public int StepCount { get; set; } = 60;

    /// <summary>Record slots per collection (<c>r0</c> ... ): few, so replicas often touch the same records.</summary>
    public int RecordSlots { get; set; } = 4;

    /// <summary>Relative weights of the kinds of steps.</summary>
    public OperationMix Mix { get; set; } = new();

    /// <summary>
    /// Makes the sync client of each replica (called once per device). Default: <see cref="Sync.SyncClientDriver"/>, the
    /// product's <c>SyncClient</c>. Swap in another engine here.
    /// </summary>
    public Func<Sync.IReplicaSyncDriver> SyncDriver { get; set; } = () => new Sync.SyncClientDriver();

    /// <summary>Where schedules keep their SQLite files (a fresh folder per schedule, deleted after). Default: <c>/dev/shm</c> where it exists and is writable (no fsync costs; crashes are simulated as process crashes), else the system temp folder.</summary>
    public string? TemporaryDirectory { get; set; }

    /// <summary>Sync rounds allowed for the outboxes to drain after the faults heal.</summary>
    public int DrainRoundsMax { get; set; } = 12;

    /// <summary>Deliberate bugs, to prove the checks can fail (canaries). Never set outside canary tests.</summary>
    public Sabotage Sabotage { get; set; } = Sabotage.None;
}

/// <summary>A deliberate bug the harness must catch.</summary>
public enum Sabotage
{
    /// <summary>No bug.</summary>
    None,
    /// <summary>Replica 0's sync client silently skips every pulled change of another origin whose sequence is even (a broken merge).</summary>
    SkipSomePulledChanges,
    /// <summary>The relay forgets every recorded outcome after each push, so a re-push is decided (and logged) again.</summary>
    RelayForgetsOutcomes,
}
