using System.Text.Json;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CrdtSync.Cli.Tests;

public sealed class ReplicaSyncCommandTests : IAsyncLifetime, IDisposable
{
    private readonly CliRun _cli = new();
    private RelayHost _relay = null!;

    public async Task InitializeAsync() =>
        _relay = await RelayHost.StartAsync(
            new RelayOptions { Urls = "http://127.0.0.1:0", DataDirectory = Path.Combine(_cli.Folder, "relay"), ConfigurationPath = CliRun.Samples },
            builder => builder.Logging.ClearProviders());

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private string Relay => _relay.Address.ToString();

    private async Task<string> DeviceAsync(string user, string role)
    {
        var (exit, output) = await _cli.RunAsync("relay", "device", "create", "--relay", Relay, "--admin-credential", _relay.AdminCredential, "--user", user, "--role", role, "--json");
        Assert.True(exit == 0, output);
        return JsonDocument.Parse(output).RootElement.GetProperty("token").GetString()!;
    }

    private async Task<string> InitAsync(string user, string role)
    {
        var db = _cli.Db(user + ".db");
        var (exit, output) = await _cli.RunAsync("replica", "init", "--db", db, "--relay", Relay, "--token", await DeviceAsync(user, role));
        Assert.True(exit == 0, output);
        return db;
    }

    [Fact]
    public async Task A_record_created_on_one_device_reaches_the_other_through_the_cli_commands()
    {
        var bob = await InitAsync("bob", "lead");
        var alice = await InitAsync("alice", "agent");
        await _cli.RunAsync("replica", "create", "incidents", "--db", bob, "--id", "i1", "--set", "title=Pump down");

        var (pushExit, pushed) = await _cli.RunAsync("replica", "sync", "--db", bob, "--json");
        var (_, pulled) = await _cli.RunAsync("replica", "sync", "--db", alice, "--json");
        var (_, record) = await _cli.RunAsync("replica", "get", "incidents", "i1", "--db", alice, "--json");

        Assert.Equal(0, pushExit);
        Assert.Equal(1, JsonDocument.Parse(pushed).RootElement.GetProperty("accepted").GetInt32());
        Assert.True(JsonDocument.Parse(pulled).RootElement.GetProperty("caughtUp").GetBoolean());
        Assert.Equal("Pump down", JsonDocument.Parse(record).RootElement.GetProperty("fields").GetProperty("title").GetString());
        Assert.Equal("synced", JsonDocument.Parse(record).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_close_that_lost_the_race_shows_in_the_outbox_as_a_conflict_and_discard_brings_back_the_relays_view()
    {
        var bob = await InitAsync("bob", "lead");
        var alice = await InitAsync("alice", "agent");
        await _cli.RunAsync("replica", "create", "incidents", "--db", bob, "--id", "i1", "--set", "title=Pump down");
        await _cli.RunAsync("replica", "sync", "--db", bob);
        await _cli.RunAsync("replica", "sync", "--db", alice);
        Assert.Equal(0, (await _cli.RunAsync("replica", "offline", "on", "--db", alice)).Exit);
        await _cli.RunAsync("replica", "action", "incidents", "i1", "close", "--db", alice);
        await _cli.RunAsync("replica", "action", "incidents", "i1", "close", "--db", bob);
        await _cli.RunAsync("replica", "sync", "--db", bob);
        await _cli.RunAsync("replica", "offline", "off", "--db", alice);

        var (_, report) = await _cli.RunAsync("replica", "sync", "--db", alice, "--json");
        var (_, outbox) = await _cli.RunAsync("replica", "outbox", "--db", alice, "--json");

        Assert.Equal(1, JsonDocument.Parse(report).RootElement.GetProperty("refused").GetInt32());
        var entry = Assert.Single(JsonDocument.Parse(outbox).RootElement.EnumerateArray().ToArray());
        Assert.Equal("conflict", entry.GetProperty("status").GetString());
        Assert.Contains("bob", entry.GetProperty("message").GetString(), StringComparison.Ordinal);

        await _cli.RunAsync("replica", "discard", entry.GetProperty("entry").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", alice);
        var (_, record) = await _cli.RunAsync("replica", "get", "incidents", "i1", "--db", alice, "--json");
        Assert.Equal("bob", JsonDocument.Parse(record).RootElement.GetProperty("fields").GetProperty("closed_by").GetString());
    }

    [Fact]
    public async Task A_wrong_admin_credential_is_refused_with_the_relays_answer()
    {
        var (exit, output) = await _cli.RunAsync("relay", "device", "create", "--relay", Relay, "--admin-credential", "wrong", "--user", "mallory");

        Assert.Equal(1, exit);
        Assert.Contains("Unauthenticated", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_on_a_file_never_linked_to_a_relay_says_how_to_link_it()
    {
        var db = _cli.Db("local.db");
        await _cli.RunAsync("replica", "init-local", "--db", db, "--config", CliRun.Samples, "--user", "alice", "--role", "agent");

        var (exit, output) = await _cli.RunAsync("replica", "sync", "--db", db);

        Assert.Equal(2, exit);
        Assert.Contains("crdtsync replica init", output, StringComparison.Ordinal);
    }
}
