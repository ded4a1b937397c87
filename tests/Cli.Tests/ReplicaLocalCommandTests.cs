using System.Text.Json;
using Xunit;

namespace CrdtSync.Cli.Tests;

public sealed class ReplicaLocalCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<string> InitAsync(string role = "agent")
    {
        var db = _cli.Db("alice.db");
        var (exit, output) = await _cli.RunAsync("replica", "init-local", "--db", db, "--config", CliRun.Samples, "--user", "alice", "--role", role);
        Assert.True(exit == 0, output);
        return db;
    }

    [Fact]
    public async Task A_created_record_reads_back_as_json_with_typed_values_and_a_pending_status()
    {
        var db = await InitAsync();
        Assert.Equal(0, (await _cli.RunAsync("replica", "create", "incidents", "--db", db, "--id", "i1", "--set", "title=Pump down", "priority=2")).Exit);

        var (exit, output) = await _cli.RunAsync("replica", "get", "incidents", "i1", "--db", db, "--json");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("pending", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("fields").GetProperty("priority").GetInt64());
        Assert.Equal("open", json.RootElement.GetProperty("fields").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_outbox_lists_each_change_in_order_and_a_discard_rolls_the_record_back()
    {
        var db = await InitAsync();
        await _cli.RunAsync("replica", "create", "incidents", "--db", db, "--id", "i1", "--set", "title=Pump down");
        await _cli.RunAsync("replica", "edit", "incidents", "i1", "--db", db, "--set", "description=hot");

        var (_, outbox) = await _cli.RunAsync("replica", "outbox", "--db", db, "--json");
        using var entries = JsonDocument.Parse(outbox);
        Assert.Equal(["upsert", "upsert"], entries.RootElement.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        var second = entries.RootElement[1].GetProperty("entry").GetInt64();

        Assert.Equal(0, (await _cli.RunAsync("replica", "discard", second.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", db)).Exit);
        var (_, record) = await _cli.RunAsync("replica", "get", "incidents", "i1", "--db", db, "--json");
        using var json = JsonDocument.Parse(record);
        Assert.False(json.RootElement.GetProperty("fields").TryGetProperty("description", out _));
    }

    [Fact]
    public async Task A_plain_edit_of_a_guarded_field_fails_with_a_message_and_exit_code_1()
    {
        var db = await InitAsync();
        await _cli.RunAsync("replica", "create", "incidents", "--db", db, "--id", "i1", "--set", "title=Pump down");

        var (exit, output) = await _cli.RunAsync("replica", "edit", "incidents", "i1", "--db", db, "--set", "status=closed");

        Assert.Equal(1, exit);
        Assert.Contains("only through actions", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_for_its_field_is_a_usage_error()
    {
        var db = await InitAsync();

        var (exit, output) = await _cli.RunAsync("replica", "create", "incidents", "--db", db, "--set", "title=x", "priority=high");

        Assert.Equal(2, exit);
        Assert.Contains("'priority' is an integer", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Online_only_actions_are_absent_from_the_available_actions_of_a_device_that_never_connected()
    {
        var db = await InitAsync(role: "lead");
        await _cli.RunAsync("replica", "create", "incidents", "--db", db, "--id", "i1", "--set", "title=Pump down");
        var (_, whileOpen) = await _cli.RunAsync("replica", "actions", "incidents", "i1", "--db", db, "--json");
        await _cli.RunAsync("replica", "action", "incidents", "i1", "close", "--db", db);

        var (_, whileClosed) = await _cli.RunAsync("replica", "actions", "incidents", "i1", "--db", db, "--json");

        Assert.Equal(["close"], JsonDocument.Parse(whileOpen).RootElement.EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(JsonDocument.Parse(whileClosed).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Offline_mode_refuses_to_start_without_a_downloaded_cache()
    {
        var db = await InitAsync();

        var (exit, output) = await _cli.RunAsync("replica", "offline", "on", "--db", db);

        Assert.Equal(1, exit);
        Assert.Contains("offline cache", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_on_a_missing_replica_file_says_how_to_make_one()
    {
        var (exit, output) = await _cli.RunAsync("replica", "outbox", "--db", _cli.Db("missing.db"));

        Assert.Equal(2, exit);
        Assert.Contains("crdtsync replica init", output, StringComparison.Ordinal);
    }
}
