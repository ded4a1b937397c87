using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrdtSync.Crdt.Values;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using CrdtSync.Relay.Tests.Support;
using CrdtSync.Relay.WebConsole;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CrdtSync.Relay.Tests.WebConsole;

/// <summary>
/// A real relay on 127.0.0.1 with its console enabled (both on port 0), over SQLite or PostgreSQL, with a known admin
/// credential. Its clock is a fake one that starts at the real now, so real replicas (stamping with the real clock)
/// sync against it and a test can still move the relay an hour on.
/// </summary>
public abstract class ConsoleRelay : IAsyncLifetime
{
    public const string Credential = "csa_console-test-credential";

    private readonly int _signInFailuresMax;
    private readonly List<IAsyncDisposable> _owned = [];
    private RelayHost? _host;

    protected ConsoleRelay(RelayStoreKind store, int signInFailuresMax = 1000)
    {
        Store = store;
        _signInFailuresMax = signInFailuresMax;
    }

    public RelayStoreKind Store { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crdtsync-console-tests", Guid.NewGuid().ToString("N"));

    public RelayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public Uri ConsoleAddress => Host.ConsoleAddress ?? throw new InvalidOperationException("The console is off.");

    private string? PostgresConnectionString { get; set; }

    public async Task InitializeAsync()
    {
        if (Store == RelayStoreKind.Postgres)
        {
            PostgresConnectionString = await PostgresTestServer.CreateDatabaseAsync();
        }

        var options = TestRelay.Options(DataDirectory, Store, PostgresConnectionString);
        options.AdminCredential = Credential;
        options.Console = true;
        options.ConsoleUrl = "http://127.0.0.1:0";
        _host = await RelayHost.StartAsync(options, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(Time);
            builder.Services.Configure<RelayConsoleOptions>(o => o.SignInFailuresMax = _signInFailuresMax);
        });
    }

    /// <summary>A browser-like client of the console (it keeps cookies), not signed in.</summary>
    public HttpClient NewClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = ConsoleAddress };

    /// <summary>A client signed in with the admin credential, and the session's anti-forgery token.</summary>
    public async Task<ConsoleClient> SignedInAsync()
    {
        var http = NewClient();
        var response = await http.PostAsJsonAsync("/api/session", new { credential = Credential });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<SessionView>(JsonSerializerOptions.Web))!;
        return new ConsoleClient(http, session.AntiForgeryToken);
    }

    /// <summary>A real replica (SQLite file) registered for <paramref name="user"/>, synced once (so it has the configuration), with a sync client that is not started: sync again with <c>SyncAllAsync</c>.</summary>
    public async Task<(ReplicaStore Replica, SyncClient Client, DeviceCredential Credential)> ReplicaAsync(string user, params string[] roles)
    {
        var credential = await Host.CreateDeviceAsync(user, roles);
        var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = Path.Combine(DataDirectory, "replicas", Guid.NewGuid().ToString("N"), "replica.db"), ReplicaId = credential.Replica });
        var options = new SyncClientOptions
        {
            RelayAddress = Host.Address,
            Token = credential.Token,
            BackoffMin = TimeSpan.FromMilliseconds(50),
            BackoffMax = TimeSpan.FromMilliseconds(400),
            CallTimeout = TimeSpan.FromSeconds(20),
        };
        options.Collections.Add("incidents");
        options.Collections.Add("tasks");
        var client = new SyncClient(replica, Microsoft.Extensions.Options.Options.Create(options), random: new Random(7));
        _owned.Add(client);
        _owned.Add(new DisposeReplica(replica));
        await client.SyncAllAsync();
        return (replica, client, credential);
    }

    /// <summary>A raw gRPC device stamping with the relay's clock (for exact pushes).</summary>
    public async Task<TestDevice> DeviceAsync(string user, params string[] roles) =>
        new(Host.Address, await Host.CreateDeviceAsync(user, roles), Time);

    public static Dictionary<string, Value> Fields(params (string Name, string Text)[] fields) =>
        fields.ToDictionary(f => f.Name, f => Value.String(f.Text));

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (PostgresConnectionString is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(PostgresConnectionString);
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private sealed class DisposeReplica(ReplicaStore replica) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            replica.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A console relay on SQLite.</summary>
public sealed class SqliteConsoleRelay() : ConsoleRelay(RelayStoreKind.Sqlite);

/// <summary>A console relay on PostgreSQL.</summary>
public sealed class PostgresConsoleRelay() : ConsoleRelay(RelayStoreKind.Postgres);

/// <summary>A console relay on SQLite that locks a client out after 3 wrong credentials.</summary>
public sealed class StrictSignInConsoleRelay() : ConsoleRelay(RelayStoreKind.Sqlite, signInFailuresMax: 3);

/// <summary>A signed-in console client: reads the API and makes changes with the anti-forgery token.</summary>
public sealed class ConsoleClient(HttpClient http, string antiForgeryToken) : IDisposable
{
    public HttpClient Http { get; } = http;

    public string AntiForgeryToken { get; } = antiForgeryToken;

    internal async Task<T> GetAsync<T>(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web))!;
    }

    internal Task<HttpResponseMessage> SetGrantAsync(string user, string role, bool granted, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/grants") { Content = JsonContent.Create(new { user, role, granted }) };
        request.Headers.Add(ConsoleSessions.AntiForgeryHeader, token ?? AntiForgeryToken);
        return Http.SendAsync(request);
    }

    public void Dispose() => Http.Dispose();
}
