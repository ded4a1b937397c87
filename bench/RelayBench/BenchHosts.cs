using System.Diagnostics;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Npgsql;

namespace CrdtSync.RelayBench;

/// <summary>Starts what the bench measures: relays (real Kestrel on 127.0.0.1, port 0) and the echo baseline server.</summary>
internal static class BenchHosts
{
    private const string AdminCredential = "relay-bench-admin";

    /// <summary>A relay with the sample configuration, its push rate limit lifted, logging at Warning.</summary>
    public static Task<RelayHost> StartRelayAsync(string dataDirectory, RelayStoreKind store, string? postgres)
    {
        var sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json"));
        var options = new RelayOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = dataDirectory,
            AdminCredential = AdminCredential,
            ConfigurationJson = sample.Replace("\"pushesPerSecondMax\": 200", "\"pushesPerSecondMax\": 1000000", StringComparison.Ordinal),
            Store = store,
            PostgresConnectionString = postgres,
        };
        return RelayHost.StartAsync(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
    }

    /// <summary>The echo server: the relay's Push contract with no store behind it.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
        var app = builder.Build();
        app.MapGrpcService<EchoSyncService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>
    /// A PostgreSQL server: <c>CRDTSYNC_POSTGRES</c> when set, else the throwaway cluster of
    /// <c>scripts/postgres-test-cluster.sh</c> (started, and PostgreSQL installed, when needed).
    /// </summary>
    public static async Task<string> PostgresServerAsync()
    {
        if (Environment.GetEnvironmentVariable("CRDTSYNC_POSTGRES") is { Length: > 0 } given)
        {
            return given;
        }

        string? script = null;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null && script is null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "postgres-test-cluster.sh");
            script = File.Exists(candidate) ? candidate : null;
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script ?? throw new InvalidOperationException("scripts/postgres-test-cluster.sh not found; set CRDTSYNC_POSTGRES."));
        start.ArgumentList.Add("start");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed: {await process.StandardError.ReadToEndAsync()}");
        }

        return output.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>Creates a fresh database on <paramref name="server"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = "crdtsync_bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="database"/>.</summary>
    public static async Task DropDatabaseAsync(string server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
