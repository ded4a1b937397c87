using CrdtSync.Crdt.Clocks;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Services;
using CrdtSync.Relay.Storage;
using CrdtSync.Testing.Schedules;
using CrdtSync.Testing.Time;

namespace CrdtSync.Testing.Nodes;

/// <summary>The simulated relay: the real <see cref="RelayEndpoint"/> on its own SQLite file, which can crash and reopen.</summary>
internal sealed class SimulatedRelay : IAsyncDisposable
{
    private readonly RelayOptions _options;
    private readonly NodeClock _clock;
    private readonly ReplicaId _id;
    private RelayEndpoint? _endpoint;
    private RelayCrashPoint? _armed;

    private SimulatedRelay(RelayOptions options, NodeClock clock, ReplicaId id)
    {
        _options = options;
        _clock = clock;
        _id = id;
    }

    public RelayEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException("The relay is down.");

    public SimulationCounters Counters { get; set; } = new();

    public Sabotage Sabotage { get; set; }

    public string DatabasePath => Path.Combine(_options.DataDirectory, _options.DatabaseFileName);

    /// <summary>The log entries compaction removed, in order, kept so the final checks still see the whole history.</summary>
    public List<(long Sequence, byte[] Change)> CompactedLog { get; } = [];

    /// <summary>
    /// Compacts the log up to <paramref name="percent"/>% of the way from its floor to its head through the store's admin
    /// operation, keeping the removed entries in <see cref="CompactedLog"/> first.
    /// </summary>
    public async Task CompactLogAsync(int percent)
    {
        var info = await Endpoint.Store.GetLogInfoAsync(CancellationToken.None).ConfigureAwait(false);
        var upTo = info.Floor + ((info.Head - info.Floor) * percent / 100);
        if (upTo <= info.Floor)
        {
            return;
        }

        var collections = Endpoint.Configuration.Rules.Collections.Keys.ToArray();
        var page = await Endpoint.Store.ReadLogAsync(new LogQuery(info.Floor, int.MaxValue, collections, false), CancellationToken.None).ConfigureAwait(false);
        var removed = page.Rows.Where(r => r.Sequence <= upTo).Select(r => (r.Sequence, r.Change)).ToList();
        if (await Endpoint.Store.CompactLogAsync(upTo, CancellationToken.None).ConfigureAwait(false) != removed.Count)
        {
            throw new Checks.InvariantViolationException("log-compaction", $"compacting the log up to {upTo} removed another number of entries than the {removed.Count} it held there.");
        }

        CompactedLog.AddRange(removed);
        Counters.LogCompactions++;
    }

    public static async Task<SimulatedRelay> StartAsync(string directory, string configurationJson, NodeClock clock, Random random)
    {
        var options = new RelayOptions { DataDirectory = directory, ConfigurationJson = configurationJson, AdminCredential = "simulation" };
        var relay = new SimulatedRelay(options, clock, ReplicaId.Create(random));
        await relay.OpenAsync().ConfigureAwait(false);
        return relay;
    }

    /// <summary>Arms a crash at the next push's fault point.</summary>
    public void Arm(RelayCrashPoint point) => _armed = point;

    public void Disarm() => _armed = null;

    public async Task CrashAndRestartAsync()
    {
        Counters.RelayCrashes++;
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
            _endpoint = null;
        }

        await OpenAsync().ConfigureAwait(false);
    }

    /// <summary>The <see cref="Sabotage.RelayForgetsOutcomes"/> canary: erase every recorded outcome, as a relay bug would.</summary>
    public void ForgetOutcomes()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM outcomes";
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
            _endpoint = null;
        }
    }

    private async Task OpenAsync()
    {
        _endpoint = await RelayEndpoint.OpenAsync(_options, _clock, () => _id).ConfigureAwait(false);
        _endpoint.FaultPoints.OnHit = point =>
        {
            if (_armed is RelayCrashPoint.BeforeCommit && point == RelayFaultPoint.PushBeforeCommit)
            {
                _armed = null;
                Counters.RelayCrashesBeforeCommit++;
                throw new SimulatedCrashException("relay crashed before the push commit");
            }

            if (_armed is RelayCrashPoint.AfterCommit && point == RelayFaultPoint.PushAfterCommit)
            {
                _armed = null;
                Counters.RelayCrashesAfterCommit++;
                throw new SimulatedCrashException("relay crashed after the push commit");
            }
        };
    }
}
