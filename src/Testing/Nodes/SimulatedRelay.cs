using CrdtSync.Crdt.Clocks;
using CrdtSync.Relay.Authority;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Services;
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
