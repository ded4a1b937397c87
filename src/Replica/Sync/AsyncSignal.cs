namespace CrdtSync.Replica.Sync;

/// <summary>A wake-up that stays set until it is waited for: a signal raised while nobody waits is not lost.</summary>
internal sealed class AsyncSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set()
    {
        lock (_lock)
        {
            _next.TrySetResult();
        }
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (_lock)
        {
            task = _next.Task;
        }

        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_next.Task == task)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
