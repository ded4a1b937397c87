using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Schema;
using CrdtSync.Relay.Storage;

namespace CrdtSync.Relay.WebConsole;

/// <summary>
/// What the console records while it is enabled, kept in memory until written to the store in one batch
/// (<see cref="FlushAsync"/>): each device's last handshake and cursor, and decided outcomes counted per minute and
/// kind. Noting is a dictionary update under a lock, so the sync calls pay no store write for it. A flush that fails
/// puts what it took back, to be written by the next one.
/// </summary>
internal sealed class ConsoleActivity(TimeProvider time)
{
    /// <summary>How long per-minute outcome counts are kept in the store.</summary>
    public static readonly TimeSpan TallyRetention = TimeSpan.FromDays(1);

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<ReplicaId, DeviceActivity> _devices = [];
    private Dictionary<(DateTimeOffset Minute, OutcomeKind Kind), long> _tallies = [];

    /// <summary>The device completed a handshake now.</summary>
    public void NoteHandshake(ReplicaId device) => Note(new DeviceActivity(device, time.GetUtcNow(), null, null));

    /// <summary>The cursor <paramref name="cursor"/> went between the relay and the device now.</summary>
    public void NoteCursor(ReplicaId device, long cursor) => Note(new DeviceActivity(device, null, cursor, time.GetUtcNow()));

    /// <summary>A pushed change was decided with <paramref name="kind"/> now.</summary>
    public void NoteOutcome(OutcomeKind kind)
    {
        var key = (MinuteOf(time.GetUtcNow()), kind);
        lock (_gate)
        {
            _tallies[key] = _tallies.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The start of the UTC minute holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset MinuteOf(DateTimeOffset instant)
    {
        var ms = instant.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % 60_000) + 60_000) % 60_000));
    }

    /// <summary>Writes what was noted since the last flush to <paramref name="store"/>; on failure keeps it for the next flush.</summary>
    public async Task FlushAsync(IRelayStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Dictionary<ReplicaId, DeviceActivity> devices;
            Dictionary<(DateTimeOffset Minute, OutcomeKind Kind), long> tallies;
            lock (_gate)
            {
                (devices, _devices) = (_devices, []);
                (tallies, _tallies) = (_tallies, []);
            }

            try
            {
                if (devices.Count > 0)
                {
                    await store.SaveDeviceActivityAsync(devices.Values, cancellationToken).ConfigureAwait(false);
                    devices.Clear();
                }

                if (tallies.Count > 0)
                {
                    var rows = tallies.Select(t => new OutcomeTally(t.Key.Minute, t.Key.Kind, t.Value)).ToArray();
                    await store.AddOutcomeTalliesAsync(rows, time.GetUtcNow() - TallyRetention, cancellationToken).ConfigureAwait(false);
                    tallies.Clear();
                }
            }
            finally
            {
                PutBack(devices, tallies);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void Note(DeviceActivity note)
    {
        lock (_gate)
        {
            Merge(note);
        }
    }

    // Under _gate.
    private void Merge(DeviceActivity note) =>
        _devices[note.ReplicaId] = _devices.TryGetValue(note.ReplicaId, out var known) ? known.MergedWith(note) : note;

    private void PutBack(Dictionary<ReplicaId, DeviceActivity> devices, Dictionary<(DateTimeOffset Minute, OutcomeKind Kind), long> tallies)
    {
        if (devices.Count == 0 && tallies.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var note in devices.Values)
            {
                Merge(note);
            }

            foreach (var (key, count) in tallies)
            {
                _tallies[key] = _tallies.GetValueOrDefault(key) + count;
            }
        }
    }
}
