using System.CommandLine;
using System.Text.Json.Nodes;
using CrdtSync.Cli.Input;
using CrdtSync.Replica;
using CrdtSync.Replica.Peers;
using CrdtSync.Replica.Peers.Discovery;
using CrdtSync.Replica.Sync;
using CrdtSync.Replica.Transport;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary><c>crdtsync replica … peer serve|sync|list</c>: sync a replica file directly with its team's replicas on the LAN.</summary>
internal static class PeerCommands
{
    /// <summary>The environment variable the team secret is read from when <c>--team-secret</c> is not given.</summary>
    public const string TeamSecretVariable = "CRDTSYNC_TEAM_SECRET";

    public static Command Create(CliContext cli)
    {
        var secret = new Option<string?>("--team-secret")
        {
            Description = $"The team's shared secret (at least 16 characters). Also read from {TeamSecretVariable}.",
            Recursive = true,
        };
        var pin = new Option<string?>("--certificate-sha256") { Description = "Trust the team's self-signed certificate with this SHA-256 (hex).", Recursive = true };
        var insecure = new Option<bool>("--allow-insecure-remote") { Description = "Allow cleartext off loopback (the team secret travels in clear).", Recursive = true };
        var peer = new Command("peer", "Sync directly with the team's replicas on the local network (no relay needed).") { secret, pin, insecure };
        peer.Subcommands.Add(Serve(cli, Client));
        peer.Subcommands.Add(Sync(cli, Client));
        peer.Subcommands.Add(List(cli));
        return peer;

        PeerClientOptions Client(ParseResult parse) => new()
        {
            TeamSecret = parse.GetValue(secret) ?? Environment.GetEnvironmentVariable(TeamSecretVariable)
                ?? throw new CliUsageException($"Give the team secret with --team-secret or {TeamSecretVariable} (the same on every device of the team)."),
            PinnedCertificateSha256 = parse.GetValue(pin),
            AllowInsecureRemote = parse.GetValue(insecure),
        };
    }

    private static Command Serve(CliContext cli, Func<ParseResult, PeerClientOptions> client)
    {
        var listen = new Option<string>("--listen") { Description = "The IP address to serve peers on (off loopback: with --certificate).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: any free one).", DefaultValueFactory = _ => 5300 };
        var certificate = new Option<FileInfo?>("--certificate") { Description = "A PKCS#12 certificate: serve TLS (required off loopback)." };
        var password = new Option<string?>("--certificate-password") { Description = "The certificate's password." };
        var announce = new Option<bool>("--announce") { Description = "Announce this replica and listen for the team's announcements (UDP multicast)." };
        var multicastInterface = new Option<string?>("--multicast-interface") { Description = "The interface address to announce on (e.g. the LAN address; 127.0.0.1 stays on this machine)." };
        var multicastGroup = new Option<string?>("--multicast-group") { Description = "The multicast group and port, e.g. 239.255.67.83:5301 (the default)." };
        var advertise = new Option<string?>("--advertise") { Description = "The address peers reach this replica at (default: where it listens)." };
        var every = new Option<double>("--sync-every") { Description = "Seconds between sync rounds with every known peer.", DefaultValueFactory = _ => 10 };
        var relay = new Option<bool>("--relay") { Description = "Also sync with the relay this replica was initialised with, whenever it is reachable." };
        var serve = new Command("serve", "Serve this replica to the team and sync with listed and announced peers until Ctrl+C.")
        {
            listen, port, certificate, password, announce, multicastInterface, multicastGroup, advertise, every, relay,
        };
        serve.SetAction((parse, ct) => cli.Run(async () =>
        {
            var file = parse.GetValue(cli.Database)!;
            var clientOptions = client(parse);
            var discovery = new PeerDiscoveryOptions
            {
                Client = clientOptions,
                Multicast = parse.GetValue(announce),
                MulticastInterface = parse.GetValue(multicastInterface),
                SyncInterval = TimeSpan.FromSeconds(parse.GetValue(every) > 0 ? parse.GetValue(every) : throw new CliUsageException("--sync-every needs a number of seconds above 0.")),
            };
            if (parse.GetValue(multicastGroup) is { } group)
            {
                var parts = group.Split(':');
                discovery.MulticastGroup = parts[0];
                if (parts.Length > 1)
                {
                    discovery.MulticastPort = int.TryParse(parts[1], out var groupPort) ? groupPort : throw new CliUsageException($"'{group}' is not GROUP:PORT.");
                }
            }

            foreach (var address in PeerList.Load(file).Peers)
            {
                discovery.Peers.Add(address);
            }

            var link = parse.GetValue(relay) ? RelayLink.Load(file) : null;
            using var replica = cli.OpenReplica(parse);
            PeerServer server;
            try
            {
                server = await PeerServer.StartAsync(replica, new PeerServerOptions
                {
                    ListenAddress = parse.GetValue(listen)!,
                    Port = parse.GetValue(port),
                    TeamSecret = clientOptions.TeamSecret,
                    CertificatePath = parse.GetValue(certificate)?.FullName,
                    CertificatePassword = parse.GetValue(password),
                    AllowInsecureRemote = clientOptions.AllowInsecureRemote,
                }, cancellationToken: ct);
            }
            catch (Exception error) when (error is InvalidOperationException or IOException)
            {
                cli.Console.MarkupLine($"[red]{Markup.Escape(error.Message)}[/]");
                return 1;
            }

            await using var serving = server;
            discovery.AdvertisedAddress = parse.GetValue(advertise) is { } advertised ? PeerList.ParseAddress(advertised) : server.Address;
            using var loop = new PeerDiscoveryService(replica, Microsoft.Extensions.Options.Options.Create(discovery));
            loop.Synced += (_, attempt) => Report(cli, attempt, quietWhenNothingMoved: true);
            // What the relay commits (action effects, compensations, other devices' changes) is recorded for the peers too.
            var relayOptions = link is null ? null : new SyncClientOptions { RelayAddress = link.Relay, Token = link.Token };
            using var relayTransport = relayOptions is null ? null : new PeerRecordingRelayTransport(GrpcRelayTransport.Create(relayOptions), replica);
            await using var relayClient = relayOptions is null ? null : new SyncClient(replica, relayTransport!, relayOptions);
            cli.Console.MarkupLine($"Serving peers of replica [bold]{replica.ReplicaId}[/] at [bold]{server.Address}[/]");
            cli.Console.MarkupLine($"Peers: {discovery.Peers.Count} listed{(discovery.Multicast ? $", announcing on {discovery.MulticastGroup}:{discovery.MulticastPort}" : string.Empty)}{(link is null ? string.Empty : $"; relay {link.Relay}")}");
            await loop.StartAsync(ct);
            if (relayClient is not null)
            {
                await relayClient.StartAsync(ct);
            }

            cli.Console.MarkupLine("[grey]Ctrl+C stops.[/]");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            await loop.StopAsync(CancellationToken.None);
            if (relayClient is not null)
            {
                await relayClient.StopAsync(CancellationToken.None);
            }

            return 0;
        }));
        return serve;
    }

    private static Command Sync(CliContext cli, Func<ParseResult, PeerClientOptions> client)
    {
        var addresses = new Argument<string[]>("address") { Description = "Peers to sync with now (default: the peer list).", Arity = ArgumentArity.ZeroOrMore };
        var sync = new Command("sync", "One anti-entropy round with each peer: take in what this replica misses, give what it misses.") { addresses, cli.Json };
        sync.SetAction((parse, ct) => cli.Run(async () =>
        {
            var file = parse.GetValue(cli.Database)!;
            var given = (parse.GetValue(addresses) ?? []).Select(PeerList.ParseAddress).ToArray();
            var peers = given.Length > 0 ? given : PeerList.Load(file).Peers;
            if (peers.Count == 0)
            {
                throw new CliUsageException($"No peers to sync with: name one, or add some with 'crdtsync replica --db {file.Name} peer list --add http://127.0.0.2:5300'.");
            }

            var options = new PeerDiscoveryOptions { Client = client(parse) };
            foreach (var address in peers)
            {
                options.Peers.Add(address);
            }

            using var replica = cli.OpenReplica(parse);
            using var loop = new PeerDiscoveryService(replica, Microsoft.Extensions.Options.Options.Create(options));
            var attempts = await loop.SyncOnceAsync(ct);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonArray([.. attempts.Select(a => (JsonNode)new JsonObject
                {
                    ["address"] = a.Address.ToString(),
                    ["peer"] = a.Report?.Peer.ToString(),
                    ["received"] = a.Report?.Received,
                    ["sent"] = a.Report?.Sent,
                    ["heldHere"] = a.Report?.HeldHere,
                    ["heldThere"] = a.Report?.HeldThere,
                    ["error"] = a.Error?.Message,
                })]));
            }
            else
            {
                foreach (var attempt in attempts)
                {
                    Report(cli, attempt, quietWhenNothingMoved: false);
                }
            }

            return attempts.All(a => a.Succeeded) ? 0 : 1;
        }));
        return sync;
    }

    private static Command List(CliContext cli)
    {
        var add = new Option<string[]>("--add") { Description = "Add a peer address to the list (repeat).", AllowMultipleArgumentsPerToken = true };
        var remove = new Option<string[]>("--remove") { Description = "Remove a peer address from the list (repeat).", AllowMultipleArgumentsPerToken = true };
        var list = new Command("list", "Show (and edit) the peer list kept beside the replica file.") { add, remove, cli.Json };
        list.SetAction((parse, ct) => cli.Run(() =>
        {
            var file = parse.GetValue(cli.Database)!;
            file.Refresh();
            if (!file.Exists)
            {
                throw new CliUsageException($"There is no replica at {file.FullName}. Create one with 'crdtsync replica init --db {file.Name} ...'.");
            }

            var added = (parse.GetValue(add) ?? []).Select(PeerList.ParseAddress).ToArray();
            var removed = (parse.GetValue(remove) ?? []).Select(PeerList.ParseAddress).ToArray();
            var peers = PeerList.Load(file);
            if (added.Length + removed.Length > 0)
            {
                peers = peers.With(added, removed);
                peers.Save(file);
            }

            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonArray([.. peers.Peers.Select(p => (JsonNode)JsonValue.Create(p.ToString()))]));
            }
            else if (peers.Peers.Count == 0)
            {
                cli.Console.MarkupLine("No listed peers. Add one with --add http://127.0.0.2:5300 (https:// off loopback).");
            }
            else
            {
                foreach (var address in peers.Peers)
                {
                    cli.Console.MarkupLine(Markup.Escape(address.ToString()));
                }
            }

            return Task.FromResult(0);
        }));
        return list;
    }

    private static void Report(CliContext cli, PeerSyncAttempt attempt, bool quietWhenNothingMoved)
    {
        if (attempt.Report is { } report)
        {
            if (!quietWhenNothingMoved || report.Received + report.Sent > 0)
            {
                cli.Console.MarkupLine($"Synced with {report.Peer} at {Markup.Escape(attempt.Address.ToString())}: received {report.Received}, sent {report.Sent}{(report.HeldHere > 0 ? $", {report.HeldHere} held here waiting for earlier changes" : string.Empty)}.");
            }
        }
        else
        {
            cli.Console.MarkupLine($"[red]{Markup.Escape(attempt.Error!.Message)}[/]");
        }
    }
}
