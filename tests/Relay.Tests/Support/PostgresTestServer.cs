using System.Diagnostics;
using Npgsql;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: <c>CRDTSYNC_POSTGRES</c> (an Npgsql connection string) when set, else the
/// throwaway cluster of <c>scripts/postgres-test-cluster.sh</c>, which the first caller starts (installing PostgreSQL
/// when missing). Each caller gets its own database, dropped afterwards, so test classes run in parallel.
/// </summary>
public static class PostgresTestServer
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>Creates an empty database with a random name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await Server.Value;
        var name = "crdtsync_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var server = await Server.Value;
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("CRDTSYNC_POSTGRES") is { Length: > 0 } given)
        {
            return given;
        }

        var script = FindScript();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("start");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run " + script);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {await errors}");
        }

        return (await output).Trim().Split('\n')[^1].Trim();
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "postgres-test-cluster.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("scripts/postgres-test-cluster.sh not found above " + AppContext.BaseDirectory + "; set CRDTSYNC_POSTGRES instead.");
    }
}
