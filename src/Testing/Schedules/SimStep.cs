using CrdtSync.Crdt.Values;

namespace CrdtSync.Testing.Schedules;

/// <summary>One step of a simulation schedule. Steps run one after another on one thread; each is a value, so a schedule prints and shrinks.</summary>
public abstract record SimStep;

/// <summary>What a simulated user does through the replica's local API.</summary>
public enum LocalOperationKind
{
    /// <summary><c>CreateAsync</c> with the step's fields.</summary>
    Create,
    /// <summary><c>UpdateAsync</c> with the step's fields.</summary>
    Update,
    /// <summary><c>PerformActionAsync</c> with the step's action and arguments.</summary>
    Action,
    /// <summary><c>DeleteAsync</c>.</summary>
    Delete,
}

/// <summary>A user's local write on replica <paramref name="Replica"/> to record slot <paramref name="Record"/> (<c>r0</c>, <c>r1</c>, ...) of a collection.</summary>
public sealed record LocalOperationStep(int Replica, LocalOperationKind Kind, string Collection, int Record, string? Action, IReadOnlyList<KeyValuePair<string, Value>> Fields) : SimStep
{
    /// <summary>The record id of the slot.</summary>
    public string RecordId => "r" + Record.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() =>
        $"Local(replica {Replica}: {Kind} {Collection}/{RecordId}{(Action is null ? string.Empty : " " + Action)} {{{string.Join(", ", Fields.Select(f => $"{f.Key}={f.Value}"))}}})";
}

/// <summary>The user of a replica handles its oldest outbox error: retries it (when it can be retried) or discards it.</summary>
public sealed record ResolveStep(int Replica, bool Retry) : SimStep;

/// <summary>One sync round of a replica (handshake, push, pull) through its link.</summary>
public sealed record SyncStep(int Replica) : SimStep;

/// <summary>An admin grants or revokes a role of a user at the relay.</summary>
public sealed record RoleStep(int User, string Role, bool Granted) : SimStep;

/// <summary>Cuts (or heals) the link between a replica and the relay.</summary>
public sealed record PartitionStep(int Replica, bool Partitioned) : SimStep;

/// <summary>A fault of the network, applied to the next call on a replica's link.</summary>
public enum NetworkFault
{
    /// <summary>The request never arrives.</summary>
    DropRequest,
    /// <summary>The relay handles the request; its response is lost.</summary>
    DropResponse,
    /// <summary>The request arrives twice.</summary>
    Duplicate,
    /// <summary>The request is held back (the caller times out) and arrives later, after newer requests.</summary>
    Delay,
}

/// <summary>Which call of a link a fault waits for.</summary>
public enum NetworkCall
{
    /// <summary>The next call of any kind.</summary>
    Any,
    /// <summary>The next push.</summary>
    Push,
    /// <summary>The next pull.</summary>
    Pull,
}

/// <summary>Arms a network fault on the next call (of the <paramref name="Call"/> kind) of a replica's link.</summary>
public sealed record NetworkFaultStep(int Replica, NetworkFault Fault, NetworkCall Call = NetworkCall.Any) : SimStep;

/// <summary>Delivers one held-back request (chosen by <paramref name="Index"/> modulo the number held).</summary>
public sealed record DeliverDelayedStep(int Index) : SimStep;

/// <summary>Where a replica crashes.</summary>
public enum ReplicaCrashPoint
{
    /// <summary>Between steps.</summary>
    Now,
    /// <summary>During its next push: the relay committed, the response is lost, the replica process dies.</summary>
    MidPush,
    /// <summary>While recording its next outcomes, before the commit.</summary>
    RecordingOutcomes,
    /// <summary>While applying its next pulled page or snapshot, before the commit.</summary>
    ApplyingPull,
}

/// <summary>Crashes a replica (then reopens it from its SQLite file).</summary>
public sealed record CrashReplicaStep(int Replica, ReplicaCrashPoint Point) : SimStep;

/// <summary>Where the relay crashes.</summary>
public enum RelayCrashPoint
{
    /// <summary>Between steps.</summary>
    Now,
    /// <summary>In its next push, every change decided, before the commit.</summary>
    BeforeCommit,
    /// <summary>In its next push, after the commit, before the response.</summary>
    AfterCommit,
}

/// <summary>Crashes the relay (then reopens its store).</summary>
public sealed record CrashRelayStep(RelayCrashPoint Point) : SimStep;

/// <summary>Sets a replica's clock offset from true time (skew; a smaller value than before is a step backwards).</summary>
public sealed record ClockStep(int Replica, long OffsetMilliseconds) : SimStep;

/// <summary>Lets true time pass for every node.</summary>
public sealed record AdvanceTimeStep(int Milliseconds) : SimStep;

/// <summary>
/// The relay's admin compacts the log: entries up to <paramref name="Percent"/>% of the way from the floor to the head are
/// removed, so replicas whose cursor is older are told <c>resync_required</c> and download a snapshot.
/// </summary>
public sealed record CompactLogStep(int Percent) : SimStep;

/// <summary>
/// One anti-entropy round over the peer link between two replicas (<c>PeerClient</c>'s algorithm on the real change
/// stores, through the peer wire format): <paramref name="Replica"/> takes in what it misses from <paramref name="Peer"/>,
/// then gives it what it misses. Fails (nothing moves) while the link is cut.
/// </summary>
public sealed record PeerSyncStep(int Replica, int Peer) : SimStep;

/// <summary>Cuts (or heals) the peer link between two replicas (the LAN between them).</summary>
public sealed record PeerPartitionStep(int Replica, int Peer, bool Partitioned) : SimStep;
