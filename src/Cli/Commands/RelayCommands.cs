using System.CommandLine;
using System.Text.Json.Nodes;
using CrdtSync.Cli.Input;
using CrdtSync.Cli.Rendering;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Protocol;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;

namespace CrdtSync.Cli.Commands;

/// <summary><c>crdtsync relay …</c>: run a relay, and administer one (devices, roles, records, log).</summary>
internal static class RelayCommands
{
    public static Command Create(CliContext cli)
    {
        var relay = new Command("relay", "Run and administer a relay.");
        relay.Subcommands.Add(Serve(cli));

        var address = new Option<string>("--relay") { Description = "The relay's address. Also CRDTSYNC_RELAY.", Recursive = true, DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CRDTSYNC_RELAY") ?? "http://127.0.0.1:5290" };
        var credential = new Option<string?>("--admin-credential") { Description = "The admin credential. Also CRDTSYNC_ADMIN_CREDENTIAL, or read from --data.", Recursive = true };
        var data = new Option<DirectoryInfo?>("--data") { Description = "The relay's data folder, to read its admin-credential file.", Recursive = true };

        Admin.AdminClient Client(ParseResult parse)
        {
            var secret = parse.GetValue(credential) ?? Environment.GetEnvironmentVariable("CRDTSYNC_ADMIN_CREDENTIAL");
            if (secret is null && parse.GetValue(data) is { } folder && File.Exists(Path.Combine(folder.FullName, CliContext.AdminCredentialFileName)))
            {
                secret = File.ReadAllText(Path.Combine(folder.FullName, CliContext.AdminCredentialFileName)).Trim();
            }

            if (string.IsNullOrEmpty(secret))
            {
                throw new CliUsageException("The admin commands need the admin credential: --admin-credential, CRDTSYNC_ADMIN_CREDENTIAL, or --data <the relay's data folder>.");
            }

            return new Admin.AdminClient(RelayChannels.ForAddress(CliContext.ParseAddress(parse.GetValue(address)!), secret));
        }

        var user = new Option<string>("--user") { Description = "The user.", Required = true };
        var roles = new Option<string[]>("--role") { Description = "A role to grant (repeat).", AllowMultipleArgumentsPerToken = true };
        var replicaId = new Option<string?>("--replica-id") { Description = "The device's replica id (32 hex digits); default: a new one." };
        var device = new Command("device", "Device tokens.");
        var createDevice = new Command("create", "Register a device for a user and print its token (shown once).") { user, roles, replicaId, cli.Json };
        createDevice.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
        {
            var client = Client(parse);
            foreach (var role in parse.GetValue(roles) ?? [])
            {
                await client.GrantRoleAsync(new RoleRequest { User = parse.GetValue(user), Role = role }, cancellationToken: ct);
            }

            var request = new CreateDeviceRequest { User = parse.GetValue(user), Label = parse.GetValue(user) };
            if (parse.GetValue(replicaId) is { } hex)
            {
                request.ReplicaId = ByteString.CopyFrom(ReplicaId.Parse(hex).ToByteArray());
            }

            var response = await client.CreateDeviceAsync(request, cancellationToken: ct);
            var id = ReplicaId.FromBytes(response.ReplicaId.Span);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonObject { ["token"] = response.Token, ["replicaId"] = id.ToString() });
            }
            else
            {
                cli.Console.MarkupLine($"Device [bold]{id}[/] for {Markup.Escape(parse.GetValue(user)!)}");
                cli.Console.MarkupLine($"token: [bold]{Markup.Escape(response.Token)}[/]  [grey](shown once)[/]");
            }
        })));
        var revokeId = new Option<string>("--replica-id") { Description = "The device's replica id.", Required = true };
        var revokeDevice = new Command("revoke", "Revoke a device's token.") { revokeId };
        revokeDevice.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
        {
            var response = await Client(parse).RevokeDeviceAsync(new RevokeDeviceRequest { ReplicaId = ByteString.CopyFrom(ReplicaId.Parse(parse.GetValue(revokeId)!).ToByteArray()) }, cancellationToken: ct);
            cli.Console.MarkupLine(response.Revoked ? "Revoked." : "[yellow]No such device.[/]");
        })));
        device.Options.Add(address);
        device.Options.Add(credential);
        device.Options.Add(data);

        device.Subcommands.Add(createDevice);
        device.Subcommands.Add(revokeDevice);
        relay.Subcommands.Add(device);

        var role = new Command("role", "Grant and revoke roles at run time.") { address, credential, data };
        var roleName = new Argument<string>("role") { Description = "The role, as named in the configuration." };
        foreach (var (verb, grant) in new[] { ("grant", true), ("revoke", false) })
        {
            var command = new Command(verb, grant ? "Grant a role to a user." : "Revoke a role from a user (reaches connected devices within seconds).") { roleName, user };
            command.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
            {
                var request = new RoleRequest { User = parse.GetValue(user), Role = parse.GetValue(roleName) };
                var client = Client(parse);
                var response = grant ? await client.GrantRoleAsync(request, cancellationToken: ct) : await client.RevokeRoleAsync(request, cancellationToken: ct);
                cli.Console.MarkupLine($"{Markup.Escape(response.User)}: {Markup.Escape(string.Join(", ", response.Roles))}{(response.Changed ? string.Empty : " [grey](unchanged)[/]")}");
            })));
            role.Subcommands.Add(command);
        }

        var listRoles = new Command("list", "A user's roles.") { user };
        listRoles.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
        {
            var response = await Client(parse).ListRolesAsync(new ListRolesRequest { User = parse.GetValue(user) }, cancellationToken: ct);
            cli.Console.MarkupLine($"{Markup.Escape(response.User)}: {Markup.Escape(string.Join(", ", response.Roles))}");
        })));
        role.Subcommands.Add(listRoles);
        relay.Subcommands.Add(role);

        var collection = new Argument<string>("collection");
        var recordId = new Argument<string>("id");
        var record = new Command("record", "A record as the relay holds it, with its conflict journal.") { collection, recordId, cli.Json, address, credential, data };
        record.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
        {
            var response = await Client(parse).GetRecordAsync(new GetRecordRequest { Collection = parse.GetValue(collection), RecordId = parse.GetValue(recordId) }, cancellationToken: ct);
            if (!response.Found)
            {
                throw new CliUsageException($"The relay has no {parse.GetValue(collection)}/{parse.GetValue(recordId)}.");
            }

            var state = RecordStateCodec.Decode(response.State.Memory);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonObject
                {
                    ["fields"] = JsonViews.Fields(state),
                    ["deleted"] = state.IsDeleted,
                    ["journal"] = new JsonArray([.. response.Journal.Select(j => (JsonNode)new JsonObject { ["field"] = j.Field, ["value"] = j.Value, ["at"] = j.StampUnixMs })]),
                });
                return;
            }

            ConsoleViews.Record(cli.Console, new Replica.Api.RecordSnapshot(state, Replica.Outbox.RecordStatus.Synced, Replica.Cache.CacheFreshness.Fresh));
            foreach (var line in response.Journal)
            {
                cli.Console.MarkupLine($"[grey]journal:[/] {Markup.Escape(line.Field)} = {Markup.Escape(line.Value)} at {DateTimeOffset.FromUnixTimeMilliseconds(line.StampUnixMs):u}");
            }
        })));
        relay.Subcommands.Add(record);

        var info = new Command("info", "The log: head, floor, length, outcomes.") { cli.Json, address, credential, data };
        info.SetAction((parse, ct) => cli.Run(() => Admin(cli, async () =>
        {
            var response = await Client(parse).GetLogInfoAsync(new GetLogInfoRequest(), cancellationToken: ct);
            cli.Console.MarkupLine($"relay {ReplicaId.FromBytes(response.RelayReplicaId.Span)}: log head {response.LogHead}, floor {response.LogFloor}, {response.LogLength} entries, {response.OutcomeCount} outcomes");
        })));
        relay.Subcommands.Add(info);
        return relay;
    }

    private static Command Serve(CliContext cli)
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Where the relay keeps its SQLite file and admin credential.", DefaultValueFactory = _ => new DirectoryInfo("crdtsync-data") };
        var urls = new Option<string>("--urls") { Description = "Where to listen (http:// is loopback only unless --allow-insecure-remote).", DefaultValueFactory = _ => "http://127.0.0.1:5290" };
        var config = new Option<FileInfo?>("--config") { Description = "The configuration file (default: the shipped incidents example)." };
        var credential = new Option<string?>("--admin-credential") { Description = "The admin credential (default: made on first start and kept in the data folder)." };
        var insecure = new Option<bool>("--allow-insecure-remote") { Description = "Allow http:// on a non-loopback address (tokens travel in clear)." };
        var console = new Option<bool>("--console") { Description = "Serve the relay console (sign in with the admin credential) on its own address." };
        var consoleUrl = new Option<string>("--console-url") { Description = "Where the console listens (HTTP/1.1; http:// is loopback only unless --allow-insecure-remote).", DefaultValueFactory = _ => "http://127.0.0.1:5291" };
        var serve = new Command("serve", "Run a relay until Ctrl+C.") { data, urls, config, credential, insecure, console, consoleUrl };
        serve.SetAction((parse, ct) => cli.Run(async () =>
        {
            var options = new RelayOptions
            {
                DataDirectory = parse.GetValue(data)!.FullName,
                Urls = parse.GetValue(urls)!,
                AdminCredential = parse.GetValue(credential),
                AllowInsecureRemote = parse.GetValue(insecure),
                Console = parse.GetValue(console),
                ConsoleUrl = parse.GetValue(consoleUrl)!,
            };
            if (parse.GetValue(config) is { } file)
            {
                options.ConfigurationPath = file.FullName;
            }

            await using var host = await RelayHost.StartAsync(options, cancellationToken: ct);
            foreach (var address in host.Addresses)
            {
                cli.Console.MarkupLine($"CrdtSync relay listening on [bold]{address}[/]");
            }

            if (host.ConsoleAddress is { } consoleAddress)
            {
                cli.Console.MarkupLine($"Relay console on [bold]{consoleAddress}[/] (sign in with the admin credential)");
            }

            cli.Console.MarkupLine($"data: {Markup.Escape(options.DataDirectory)}; admin credential in {Markup.Escape(Path.Combine(options.DataDirectory, CliContext.AdminCredentialFileName))} (unless given)");
            cli.Console.MarkupLine("[grey]Ctrl+C stops.[/]");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        }));
        return serve;
    }

    private static async Task<int> Admin(CliContext cli, Func<Task> call)
    {
        try
        {
            await call();
            return 0;
        }
        catch (RpcException ex)
        {
            cli.Console.MarkupLine($"[red]The relay answered {ex.StatusCode}: {Markup.Escape(ex.Status.Detail)}[/]");
            return 1;
        }
    }
}
