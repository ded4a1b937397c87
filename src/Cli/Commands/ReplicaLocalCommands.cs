using System.CommandLine;
using Spectre.Console;
using System.Text.Json.Nodes;
using CrdtSync.Cli.Input;
using CrdtSync.Cli.Rendering;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica;
using CrdtSync.Replica.Api;

namespace CrdtSync.Cli.Commands;

/// <summary>The replica commands that work on the local file alone: write, read, the outbox, offline mode.</summary>
internal static class ReplicaLocalCommands
{
    public static IEnumerable<Command> Create(CliContext cli)
    {
        var collection = new Argument<string>("collection") { Description = "The collection, e.g. incidents." };
        var id = new Argument<string>("id") { Description = "The record id." };
        var set = new Option<string[]>("--set", "-s") { Description = "field=value (repeat). 'null' clears; field:=text forces a string.", AllowMultipleArgumentsPerToken = true };
        var entry = new Argument<long>("entry") { Description = "The outbox entry number (see 'outbox')." };

        var createId = new Option<string?>("--id") { Description = "The record id to use (default: a new UUIDv7)." };
        var create = new Command("create", "Create a record.") { collection, set, createId, cli.Json };
        create.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var fields = FieldAssignments.Parse(parse.GetValue(set) ?? [], FieldsOf(replica, parse.GetValue(collection)!));
            var created = await replica.CreateAsync(parse.GetValue(collection)!, fields, parse.GetValue(createId), ct);
            Print(cli, parse, new JsonObject { ["id"] = created.Text }, $"Created {parse.GetValue(collection)}/{created} [green](pending)[/]");
            return 0;
        }));

        var edit = new Command("edit", "Edit fields of a record.") { collection, id, set };
        edit.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var fields = FieldAssignments.Parse(parse.GetValue(set) ?? [], FieldsOf(replica, parse.GetValue(collection)!));
            if (fields.Count == 0)
            {
                throw new CliUsageException("Say what to change with --set field=value.");
            }

            await replica.UpdateAsync(parse.GetValue(collection)!, parse.GetValue(id)!, fields, ct);
            cli.Console.MarkupLine($"Edited {Spectre.Console.Markup.Escape($"{parse.GetValue(collection)}/{parse.GetValue(id)}")} [green](pending)[/]");
            return 0;
        }));

        var actionName = new Argument<string>("action") { Description = "The action, e.g. close." };
        var args = new Option<string[]>("--arg") { Description = "argument=value (repeat).", AllowMultipleArgumentsPerToken = true };
        var action = new Command("action", "Perform a guarded action (the relay decides it).") { collection, id, actionName, args };
        action.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var arguments = FieldAssignments.Parse(parse.GetValue(args) ?? [], null);
            await replica.PerformActionAsync(parse.GetValue(collection)!, parse.GetValue(id)!, parse.GetValue(actionName)!, arguments, ct);
            cli.Console.MarkupLine($"{Spectre.Console.Markup.Escape(parse.GetValue(actionName)!)} queued for {Spectre.Console.Markup.Escape($"{parse.GetValue(collection)}/{parse.GetValue(id)}")} [green](pending: the relay decides)[/]");
            return 0;
        }));

        var delete = new Command("delete", "Delete a record (the relay decides it).") { collection, id };
        delete.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            await replica.DeleteAsync(parse.GetValue(collection)!, parse.GetValue(id)!, ct);
            cli.Console.MarkupLine($"Delete queued for {Spectre.Console.Markup.Escape($"{parse.GetValue(collection)}/{parse.GetValue(id)}")} [green](pending)[/]");
            return 0;
        }));

        var get = new Command("get", "Show a record as this device sees it.") { collection, id, cli.Json };
        get.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var record = await replica.GetAsync(parse.GetValue(collection)!, parse.GetValue(id)!, ct)
                ?? throw new CliUsageException($"There is no {parse.GetValue(collection)}/{parse.GetValue(id)} on this device.");
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(JsonViews.Record(record));
            }
            else
            {
                ConsoleViews.OfflineBanner(cli.Console, replica.IsInOfflineMode);
                ConsoleViews.Record(cli.Console, record);
            }

            return 0;
        }));

        var where = new Option<string[]>("--where", "-w") { Description = "field=value the records must match (repeat).", AllowMultipleArgumentsPerToken = true };
        var order = new Option<string?>("--order") { Description = "Order by this field." };
        var descending = new Option<bool>("--desc") { Description = "Greatest first." };
        var limit = new Option<int?>("--limit") { Description = "At most this many records." };
        var list = new Command("list", "List the records of a collection.") { collection, where, order, descending, limit, cli.Json };
        list.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var name = parse.GetValue(collection)!;
            var query = new RecordQuery(new CollectionName(name)) { Descending = parse.GetValue(descending), Limit = parse.GetValue(limit) };
            foreach (var (field, value) in FieldAssignments.Parse(parse.GetValue(where) ?? [], FieldsOf(replica, name)))
            {
                query = query.WhereEquals(field, value);
            }

            if (parse.GetValue(order) is { } orderBy)
            {
                query = query with { OrderBy = new FieldName(orderBy) };
            }

            var result = await replica.QueryAsync(query, ct);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonObject
                {
                    ["freshness"] = result.Freshness.ToString(),
                    ["records"] = new JsonArray([.. result.Records.Select(r => (JsonNode)JsonViews.Record(r))]),
                });
            }
            else
            {
                ConsoleViews.OfflineBanner(cli.Console, replica.IsInOfflineMode);
                ConsoleViews.Records(cli.Console, result.Records, $"{name} ({result.Records.Count}, cache {result.Freshness})");
            }

            return 0;
        }));

        var actions = new Command("actions", "The actions available on a record now.") { collection, id, cli.Json };
        actions.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var available = await replica.GetAvailableActionsAsync(parse.GetValue(collection)!, parse.GetValue(id)!, ct);
            Print(cli, parse, new JsonArray([.. available.Select(a => (JsonNode)JsonValue.Create(a.Text))]),
                available.Count == 0 ? "[grey]No action is available on this record now.[/]" : string.Join("  ", available.Select(a => a.Text)));
            return 0;
        }));

        var outbox = new Command("outbox", "The pending changes, with what happened to each.") { cli.Json };
        outbox.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var entries = await replica.GetOutboxAsync(cancellationToken: ct);
            if (parse.GetValue(cli.Json))
            {
                cli.WriteJson(new JsonArray([.. entries.Select(e => (JsonNode)JsonViews.Entry(e))]));
            }
            else
            {
                ConsoleViews.OfflineBanner(cli.Console, replica.IsInOfflineMode);
                ConsoleViews.Outbox(cli.Console, entries);
            }

            return 0;
        }));

        var resolve = new Command("resolve", "Resolve an entry in error: edit its fields (--set) or retry it on the current state.") { entry, set };
        resolve.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            var number = parse.GetValue(entry);
            var assignments = parse.GetValue(set) ?? [];
            if (assignments.Length == 0)
            {
                await replica.RetryAsync(number, ct);
            }
            else
            {
                var target = (await replica.GetOutboxAsync(cancellationToken: ct)).FirstOrDefault(e => e.EntryId == number)
                    ?? throw new CliUsageException($"There is no outbox entry {number}.");
                await replica.ResolveAsync(number, FieldAssignments.Parse(assignments, FieldsOf(replica, target.Collection.Text)), ct);
            }

            cli.Console.MarkupLine($"Entry {number} will be retried [green](pending)[/]");
            return 0;
        }));

        var discard = new Command("discard", "Drop an entry and roll its record back to the relay's state.") { entry };
        discard.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            await replica.DiscardAsync(parse.GetValue(entry), ct);
            cli.Console.MarkupLine($"Entry {parse.GetValue(entry)} discarded; the record shows the relay's state again.");
            return 0;
        }));

        var mode = new Argument<string>("mode") { Description = "on or off." };
        mode.AcceptOnlyFromAmong("on", "off");
        var offline = new Command("offline", "Explicit offline mode: no network at all; changes queue.") { mode };
        offline.SetAction((parse, ct) => cli.Run(async () =>
        {
            using var replica = cli.OpenReplica(parse);
            if (parse.GetValue(mode) == "on")
            {
                await replica.EnterOfflineModeAsync(ct);
                ConsoleViews.OfflineBanner(cli.Console, true);
            }
            else
            {
                await replica.LeaveOfflineModeAsync(ct);
                cli.Console.MarkupLine("[green]Online:[/] run 'crdtsync replica sync' to send the outbox.");
            }

            return 0;
        }));

        return [create, edit, action, delete, get, list, actions, outbox, resolve, discard, offline];
    }

    internal static IReadOnlyDictionary<FieldName, Crdt.Schema.FieldSchema>? FieldsOf(ReplicaStore replica, string collection) =>
        CollectionName.TryCreate(collection, out var name) && replica.Configuration?.Collections.TryGetValue(name, out var schema) == true ? schema.Fields : null;

    private static void Print(CliContext cli, ParseResult parse, JsonNode json, string markup)
    {
        if (parse.GetValue(cli.Json))
        {
            cli.WriteJson(json);
        }
        else
        {
            cli.Console.MarkupLine(markup);
        }
    }
}
