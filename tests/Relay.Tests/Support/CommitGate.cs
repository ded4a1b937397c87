namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// A one-shot gate on the PostgreSQL store's <c>BeforeCommitAsync</c> hook: once <see cref="Arm"/>ed, the next write
/// transaction to reach its commit stops there, with everything written and its locks held, until
/// <see cref="Release"/>. Lets a test force one interleaving of two pushes instead of hoping for it.
/// </summary>
public sealed class CommitGate
{
    private int _armed;
    private TaskCompletionSource _held = NewSource();
    private TaskCompletionSource _released = NewSource();

    /// <summary>Completes when the armed gate holds a transaction.</summary>
    public Task Held => Volatile.Read(ref _held).Task;

    /// <summary>Stops the next transaction that reaches its commit.</summary>
    public void Arm()
    {
        Volatile.Write(ref _held, NewSource());
        Volatile.Write(ref _released, NewSource());
        Volatile.Write(ref _armed, 1);
    }

    /// <summary>Lets the held transaction commit.</summary>
    public void Release() => Volatile.Read(ref _released).TrySetResult();

    /// <summary>The store hook.</summary>
    public async ValueTask PassAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            var released = Volatile.Read(ref _released).Task;
            Volatile.Read(ref _held).TrySetResult();
            await released.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
