namespace CrdtSync.Relay.Authority;

/// <summary>
/// Wakes live subscribers: after every commit to the log, and when access changes (roles granted or revoked,
/// devices revoked). A waiter takes <see cref="Next"/> before reading, so a commit that lands between its read and
/// its wait still wakes it.
/// </summary>
internal sealed class ChangeFeed
{
    private TaskCompletionSource _next = NewSource();
    private long _accessVersion;

    /// <summary>Completes at the next publication.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Bumped at every access change.</summary>
    public long AccessVersion => Interlocked.Read(ref _accessVersion);

    /// <summary>Signals new log entries.</summary>
    public void PublishCommit() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Signals a change of roles or devices.</summary>
    public void PublishAccessChange()
    {
        Interlocked.Increment(ref _accessVersion);
        PublishCommit();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
