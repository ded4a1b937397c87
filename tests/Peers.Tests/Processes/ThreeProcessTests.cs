using CrdtSync.Crdt.Encoding;
using CrdtSync.Peers.Tests.Discovery;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Microsoft.Extensions.Logging;

namespace CrdtSync.Peers.Tests.Processes;

/// <summary>
/// Three replica processes (<c>crdtsync replica … peer serve</c>) on 127.0.0.2, .3 and .4 that find each other by UDP
/// multicast on loopback and sync only with each other; one is switched off and back on; then they reach the relay.
/// </summary>
public sealed class ThreeProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crdtsync-processes", Guid.NewGuid().ToString("N"));
    private readonly string _group = $"239.255.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}:{Random.Shared.Next(20_000, 60_000)}";
    private readonly Dictionary<string, string> _environment = new() { ["CRDTSYNC_TEAM_SECRET"] = PeerNode.TeamSecret };
    private readonly Dictionary<string, CliProcess> _running = [];
    private readonly List<(ReplicaFile File, string Address)> _devices = [];
    private RelayHost _relay = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _relay = await RelayHost.StartAsync(
            new RelayOptions { Urls = "http://127.0.0.1:0", DataDirectory = Path.Combine(_folder, "relay"), ConfigurationJson = PeerNode.SampleJson },
            builder => builder.Logging.ClearProviders());
        var address = 2;
        var inits = new List<Task>();
        foreach (var user in new[] { "ana", "ben", "cleo" })
        {
            var file = new ReplicaFile(user, Path.Combine(_folder, user + ".db"));
            _devices.Add((file, $"127.0.0.{address++}"));
            var token = (await _relay.CreateDeviceAsync(user, ["agent"])).Token;
            inits.Add(CliProcess.RunAsync(_environment, "replica", "init", "--db", file.Path, "--relay", _relay.Address.ToString(), "--token", token));
        }

        await Task.WhenAll(inits); // the offline cache is downloaded before the team goes to the field
        output.WriteLine($"{_clock.Elapsed.TotalSeconds:F1}s initialised");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _running.Values)
        {
            await process.DisposeAsync();
        }

        await _relay.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [Fact]
    public async Task Three_replica_processes_converge_among_themselves_across_a_partition_and_then_with_the_relay_also_after_a_refusal_peers_had_merged()
    {
        var (ana, ben, cleo) = (_devices[0].File, _devices[1].File, _devices[2].File);
        await EditAsync(ana, store => store.CreateAsync("incidents", Fields.Of(("title", "Flooded basement"), ("priority", 3)), "x"));
        await EditAsync(ben, store => store.CreateAsync("incidents", Fields.Of(("title", "Gate stuck"), ("priority", 2)), "y"));

        // Among peers only: every replica ends with both records.
        await Task.WhenAll(StartAsync(ana), StartAsync(ben), StartAsync(cleo));
        await ConvergedAsync([ana, ben, cleo], records: 2);

        // Partition: cleo is switched off and edits offline. ana edits too (its app stopped for the edit), and comes back
        // with the relay within reach: it pushes its own changes (only the origin pushes them).
        await StopAsync(cleo);
        await EditAsync(cleo, async store =>
        {
            await store.UpdateAsync("incidents", "x", Fields.Of(("priority", 1)));
            await store.CreateAsync("incidents", Fields.Of(("title", "Roof leak"), ("priority", 4)), "z");
        });
        await StopAsync(ana);
        await EditAsync(ana, store => store.UpdateAsync("incidents", "x", Fields.Of(("title", "Flooded basement, block B"))));
        await StartAsync(ana, "--relay");
        await ConvergedAsync([ana, ben], records: 2);
        Assert.NotEqual(ana.VisibleStates(), cleo.VisibleStates());
        await Eventually.HoldsAsync(() => ana.OutboxCount() == 0, "ana pushed its outbox to the relay", secondsMax: 60);

        // Heal: cleo comes back (relay in reach too), and all three hold every edit of both sides.
        await StartAsync(cleo, "--relay");
        var healed = await ConvergedAsync([ana, ben, cleo], records: 3);
        Assert.Contains("block B", System.Text.Encoding.UTF8.GetString(Convert.FromHexString(healed["incidents/x"])), StringComparison.Ordinal);

        // ben reaches the relay last; every outbox empties, and in the end every copy equals the relay's.
        await StopAsync(ben);
        await StartAsync(ben, "--relay");
        await Eventually.HoldsAsync(() => _devices.All(d => d.File.OutboxCount() == 0), "every replica pushed its outbox to the relay", secondsMax: 60);
        await Eventually.HoldsAsync(async () =>
        {
            var atRelay = await RelayStatesAsync(["x", "y", "z"]);
            return _devices.All(d => new[] { "x", "y", "z" }.All(id => d.File.VisibleStates().GetValueOrDefault("incidents/" + id) == atRelay[id]));
        }, "every replica equals the relay on every record", secondsMax: 60);
        output.WriteLine($"{_clock.Elapsed.TotalSeconds:F1}s every replica equals the relay");

        // A relay rejection peers had already merged: ben sets x's resolution (a manual field) at the relay while ana is
        // off; ana, not having seen it, sets another later, and her peers merge hers (it wins among them). The relay
        // refuses hers as a conflict and compensates; every copy ends with the relay's value.
        await StopAsync(ana);
        await StopAsync(ben);
        await EditAsync(ben, store => store.UpdateAsync("incidents", "x", Fields.Of(("resolution", "Pipe replaced"))));
        await StartAsync(ben, "--relay");
        await Eventually.HoldsAsync(() => ben.OutboxCount() == 0, "ben pushed his resolution", secondsMax: 60);
        await EditAsync(ana, store => store.UpdateAsync("incidents", "x", Fields.Of(("resolution", "Still leaking"))));
        await StartAsync(ana);
        await Eventually.HoldsAsync(() => Field(cleo, "x", "resolution") == "Still leaking", "cleo merged ana's resolution from a peer", secondsMax: 60);
        await StopAsync(ana);
        await StartAsync(ana, "--relay");
        await Eventually.HoldsAsync(async () =>
        {
            var atRelay = RecordStateCodec.Decode(Convert.FromHexString((await RelayStatesAsync(["x"]))["x"]));
            return _devices.All(d => Field(d.File, "x", "resolution") == atRelay[new Crdt.Values.FieldName("resolution")].AsString
                && Field(d.File, "x", "title") == atRelay[new Crdt.Values.FieldName("title")].AsString);
        }, "every copy has the relay's resolution after the refusal", secondsMax: 60);
        Assert.Equal("Pipe replaced", Field(cleo, "x", "resolution"));
        Assert.Equal(1, ana.OutboxCount()); // ana's refused edit waits for her to resolve or discard it
        output.WriteLine($"{_clock.Elapsed.TotalSeconds:F1}s the refusal was compensated everywhere");
    }

    /// <summary>A string field of a record as a replica shows it (null when absent).</summary>
    private static string? Field(ReplicaFile file, string id, string field) =>
        file.VisibleStates().TryGetValue("incidents/" + id, out var hex)
        && RecordStateCodec.Decode(Convert.FromHexString(hex))[new Crdt.Values.FieldName(field)] is { Kind: Crdt.Values.ValueKind.String } value
            ? value.AsString
            : null;

    private async Task StartAsync(ReplicaFile file, params string[] extra)
    {
        var address = _devices.Single(d => d.File == file).Address;
        var process = CliProcess.Start(_environment,
        [
            "replica", "--db", file.Path, "peer", "serve", "--listen", address, "--port", "0", "--sync-every", "0.3",
            "--announce", "--multicast-interface", "127.0.0.1", "--multicast-group", _group, .. extra,
        ]);
        _running[file.Name] = process;
        await process.WaitForAsync("Ctrl+C stops");
        output.WriteLine($"{_clock.Elapsed.TotalSeconds:F1}s started {file.Name} {string.Join(' ', extra)}");
    }

    private async Task StopAsync(ReplicaFile file)
    {
        if (_running.Remove(file.Name, out var process))
        {
            await process.DisposeAsync();
        }
    }

    /// <summary>A user's edit on a replica whose process is stopped (the app opened on the same file).</summary>
    private static async Task EditAsync(ReplicaFile file, Func<ReplicaStore, Task> edit)
    {
        using (var store = ReplicaStore.Open(new ReplicaOptions { DatabasePath = file.Path }))
        {
            await edit(store);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private async Task<SortedDictionary<string, string>> ConvergedAsync(ReplicaFile[] files, int records)
    {
        await Eventually.HoldsAsync(
            () => files[0].VisibleStates() is var first && first.Count == records && files.Skip(1).All(f => f.VisibleStates().SequenceEqual(first)),
            $"{string.Join(", ", files.Select(f => f.Name))} converged on {records} records", secondsMax: 60);
        output.WriteLine($"{_clock.Elapsed.TotalSeconds:F1}s converged {records}");
        return files[0].VisibleStates();
    }

    private async Task<Dictionary<string, string>> RelayStatesAsync(string[] ids)
    {
        using var channel = RelayChannels.ForAddress(_relay.Address, _relay.AdminCredential);
        var admin = new Admin.AdminClient(channel);
        var states = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            var record = await admin.GetRecordAsync(new GetRecordRequest { Collection = "incidents", RecordId = id });
            states[id] = record.State.IsEmpty ? string.Empty : Convert.ToHexString(RecordStateCodec.Encode(RecordStateCodec.Decode(record.State.Memory)));
        }

        return states;
    }
}
