using System.Text.Json;
using Xunit;

namespace CrdtSync.Cli.Tests;

/// <summary><c>crdtsync replica … peer serve|sync|list</c> on real replica files and real peer endpoints on 127.0.0.x.</summary>
public sealed class PeerCommandTests : IDisposable
{
    private const string Secret = "--team-secret=correct-horse-battery-staple";
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string> ReplicaAsync(string user)
    {
        var db = _cli.Db(user + ".db");
        var (exit, output) = await _cli.RunAsync("replica", "init-local", "--db", db, "--config", CliRun.Samples, "--user", user, "--role", "agent");
        Assert.True(exit == 0, output);
        return db;
    }

    [Fact]
    public async Task The_peer_list_is_kept_beside_the_replica_file_and_edited_with_add_and_remove()
    {
        var ana = await ReplicaAsync("ana");

        await _cli.RunAsync("replica", "peer", "list", "--db", ana, "--add", "http://127.0.0.3:5300", "--add", "https://10.0.0.7:5300");
        var (exit, listed) = await _cli.RunAsync("replica", "peer", "list", "--db", ana, "--remove", "http://127.0.0.3:5300", "--json");

        Assert.Equal(0, exit);
        Assert.Equal(["https://10.0.0.7:5300/"], JsonDocument.Parse(listed).RootElement.EnumerateArray().Select(e => e.GetString()));
        Assert.True(File.Exists(ana + ".peers.json"));
    }

    [Fact]
    public async Task A_peer_address_that_is_not_http_is_a_usage_error_and_changes_nothing()
    {
        var ana = await ReplicaAsync("ana");

        var (exit, output) = await _cli.RunAsync("replica", "peer", "list", "--db", ana, "--add", "127.0.0.3:5300");

        Assert.Equal(2, exit);
        Assert.Contains("not a peer address", output, StringComparison.Ordinal);
        Assert.False(File.Exists(ana + ".peers.json"));
    }

    [Fact]
    public async Task Peer_sync_without_a_team_secret_says_how_to_give_one()
    {
        var ana = await ReplicaAsync("ana");

        var (exit, output) = await _cli.RunAsync("replica", "peer", "sync", "http://127.0.0.3:5300", "--db", ana);

        Assert.Equal(2, exit);
        Assert.Contains("--team-secret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_made_on_one_replica_reaches_another_through_peer_serve_and_peer_sync()
    {
        var ana = await ReplicaAsync("ana");
        var ben = await ReplicaAsync("ben");
        await _cli.RunAsync("replica", "create", "incidents", "--db", ana, "--id", "i1", "--set", "title=Pump down");
        var port = ServingCommand.FreePort("127.0.0.2");
        await using var serving = new ServingCommand("replica", "peer", "serve", "--db", ana, "--listen", "127.0.0.2", "--port", $"{port}", Secret);
        await serving.WaitForAsync("Serving peers");

        var (exit, report) = await _cli.RunAsync("replica", "peer", "sync", $"http://127.0.0.2:{port}", "--db", ben, Secret, "--json");
        var (_, record) = await _cli.RunAsync("replica", "get", "incidents", "i1", "--db", ben, "--json");

        Assert.True(exit == 0, report);
        Assert.Equal(1, JsonDocument.Parse(report).RootElement[0].GetProperty("received").GetInt32());
        Assert.Equal("Pump down", JsonDocument.Parse(record).RootElement.GetProperty("fields").GetProperty("title").GetString());
        Assert.Equal(0, await serving.StopAsync());
    }

    [Fact]
    public async Task Peer_serve_syncs_in_the_background_with_the_listed_peers()
    {
        var ana = await ReplicaAsync("ana");
        var ben = await ReplicaAsync("ben");
        await _cli.RunAsync("replica", "create", "incidents", "--db", ben, "--id", "i2", "--set", "title=Gate stuck");
        var benPort = ServingCommand.FreePort("127.0.0.3");
        await using var benServing = new ServingCommand("replica", "peer", "serve", "--db", ben, "--listen", "127.0.0.3", "--port", $"{benPort}", Secret);
        await benServing.WaitForAsync("Serving peers");
        await _cli.RunAsync("replica", "peer", "list", "--db", ana, "--add", $"http://127.0.0.3:{benPort}");

        await using (var anaServing = new ServingCommand("replica", "peer", "serve", "--db", ana, "--listen", "127.0.0.2", "--port", "0", "--sync-every", "0.2", Secret))
        {
            await anaServing.WaitForAsync("received 1");
            Assert.Equal(0, await anaServing.StopAsync());
        }

        var (_, record) = await _cli.RunAsync("replica", "get", "incidents", "i2", "--db", ana, "--json");
        Assert.Equal("Gate stuck", JsonDocument.Parse(record).RootElement.GetProperty("fields").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_peer_that_is_down_fails_the_sync_with_exit_code_1_and_says_which()
    {
        var ana = await ReplicaAsync("ana");
        var down = $"http://127.0.0.4:{ServingCommand.FreePort("127.0.0.4")}";

        var (exit, output) = await _cli.RunAsync("replica", "peer", "sync", down, "--db", ana, Secret);

        Assert.Equal(1, exit);
        Assert.Contains("127.0.0.4", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serving_peers_in_cleartext_off_loopback_is_refused()
    {
        var ana = await ReplicaAsync("ana");

        var (exit, output) = await _cli.RunAsync("replica", "peer", "serve", "--db", ana, "--listen", "192.0.2.7", Secret);

        Assert.Equal(1, exit);
        Assert.Contains("without TLS", output, StringComparison.Ordinal);
    }
}
