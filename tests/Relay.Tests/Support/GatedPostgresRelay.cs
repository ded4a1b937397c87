using CrdtSync.Relay.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// A test relay on PostgreSQL whose commits pass a <see cref="CommitGate"/>, built with the store faults its subclass
/// names (none: the store as designed, the control for the canaries).
/// </summary>
public class GatedPostgresRelay : PostgresRelay
{
    private readonly PostgresStoreFaults _faults;

    public GatedPostgresRelay()
        : this(PostgresStoreFaults.None)
    {
    }

    private protected GatedPostgresRelay(PostgresStoreFaults faults)
        : base(null)
    {
        _faults = faults;
    }

    public CommitGate Gate { get; } = new();

    /// <summary>
    /// Waits until <paramref name="done"/> holds or a session of this relay's database waits for a lock (a row lock or
    /// an advisory lock held by the gated transaction).
    /// </summary>
    public async Task UntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var waiting = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        while (!done() && (long)(await waiting.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<PostgresRelayStoreOptions>(o =>
        {
            o.Faults = _faults;
            o.BeforeCommitAsync = Gate.PassAsync;
        });
}

/// <summary>Canary: the PostgreSQL store without its record advisory locks.</summary>
public sealed class RelayWithoutRecordLocks() : GatedPostgresRelay(PostgresStoreFaults.SkipRecordLocks);

/// <summary>Canary: the PostgreSQL store numbering its log from a plain SEQUENCE, without the state row lock.</summary>
public sealed class RelayNumberingLogFromPlainSequence() : GatedPostgresRelay(PostgresStoreFaults.NumberLogFromPlainSequence);
