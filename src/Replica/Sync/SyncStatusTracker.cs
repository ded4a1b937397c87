namespace CrdtSync.Replica.Sync;

/// <summary>Holds the client's current <see cref="SyncStatus"/> and raises the events when it or the progress changes.</summary>
internal sealed class SyncStatusTracker
{
    private readonly Lock _lock = new();
    private SyncStatus _status = SyncStatus.Initial;

    public event EventHandler<SyncStatus>? StatusChanged;

    public event EventHandler<SyncProgress>? Progress;

    public object? Sender { get; set; }

    public SyncStatus Current
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }
    }

    public void Update(Func<SyncStatus, SyncStatus> change)
    {
        SyncStatus before, after;
        lock (_lock)
        {
            before = _status;
            after = _status = change(_status);
        }

        if (before != after)
        {
            StatusChanged?.Invoke(Sender, after);
        }
    }

    public void Report(SyncProgress progress) => Progress?.Invoke(Sender, progress);
}
