using System.Text.Json.Nodes;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Replica;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Errors;
using CrdtSync.WebConsole.Assets;
using CrdtSync.WebConsole.Diagnostics;
using CrdtSync.WebConsole.Live;
using CrdtSync.WebConsole.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CrdtSync.WebConsole.Api;

/// <summary>The console's routes: the page and its files, the JSON API over one replica, and the event stream (docs/console.md).</summary>
internal static class ConsoleEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (ConsoleSecurity security) => Results.Content(ConsoleAssets.Page(security.Token), "text/html; charset=utf-8"));
        foreach (var file in new[] { "console.css", "console.js" })
        {
            var asset = ConsoleAssets.Get(file)!.Value;
            app.MapGet("/" + file, () => Results.Text(asset.Text, asset.ContentType));
        }

        var api = app.MapGroup("/api");
        api.MapGet("/state", (HttpContext http, ReplicaStore replica, ConsoleSync sync) => Guard(http, () => StateAsync(replica, sync, http.RequestAborted)));
        api.MapGet("/collections/{collection}/records", (HttpContext http, ReplicaStore replica, string collection) =>
            Guard(http, () => RecordsAsync(replica, collection, http.RequestAborted)));
        api.MapGet("/collections/{collection}/records/{id}", (HttpContext http, ReplicaStore replica, string collection, string id) =>
            Guard(http, () => RecordAsync(replica, collection, id, http.RequestAborted)));
        api.MapPost("/collections/{collection}/records", (HttpContext http, ReplicaStore replica, string collection) =>
            Guard(http, () => CreateAsync(http, replica, collection)));
        api.MapPatch("/collections/{collection}/records/{id}", (HttpContext http, ReplicaStore replica, string collection, string id) =>
            Guard(http, () => EditAsync(http, replica, collection, id)));
        api.MapDelete("/collections/{collection}/records/{id}", (HttpContext http, ReplicaStore replica, string collection, string id) =>
            Guard(http, () => DeleteAsync(replica, collection, id, http.RequestAborted)));
        api.MapPost("/collections/{collection}/records/{id}/actions/{action}", (HttpContext http, ReplicaStore replica, string collection, string id, string action) =>
            Guard(http, () => ActAsync(http, replica, collection, id, action)));
        api.MapGet("/outbox", (HttpContext http, ReplicaStore replica) => Guard(http, () => OutboxAsync(replica, http.RequestAborted)));
        api.MapPost("/outbox/{entry}/resolve", (HttpContext http, ReplicaStore replica, string entry) =>
            Guard(http, () => ResolveAsync(http, replica, ConsoleRequests.EntryId(entry))));
        api.MapPost("/outbox/{entry}/discard", (HttpContext http, ReplicaStore replica, string entry) =>
            Guard(http, () => DiscardAsync(replica, ConsoleRequests.EntryId(entry), http.RequestAborted)));
        api.MapPost("/offline", (HttpContext http, ReplicaStore replica) => Guard(http, () => OfflineAsync(http, replica)));
        api.MapPost("/download", (HttpContext http, ConsoleSync sync) => Guard(http, async () => Json(await sync.DownloadAsync(http.RequestAborted))));
        api.MapPost("/sync", (HttpContext http, ConsoleSync sync) => Guard(http, async () => Json(await sync.SyncAllAsync(http.RequestAborted))));
        api.MapGet("/events", EventStreamEndpoint.StreamAsync);
        api.MapFallback((HttpContext http) => ConsoleErrors.WriteAsync(http, StatusCodes.Status404NotFound, "not_found", $"There is no {http.Request.Method} {http.Request.Path} in the console's API."));
    }

    private static Task<IResult> Guard(HttpContext http, Func<Task<IResult>> call) => ConsoleErrors.Guard(http, call);

    private static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) =>
        Results.Text(node.ToJsonString(), "application/json; charset=utf-8", statusCode: status);

    private static async Task<IResult> StateAsync(ReplicaStore replica, ConsoleSync sync, CancellationToken cancellationToken)
    {
        var collections = new JsonArray();
        if (replica.Configuration is { } configuration && replica.Principal is { } principal)
        {
            foreach (var schema in configuration.Collections.Values.OrderBy(c => c.Name.Text, StringComparer.Ordinal))
            {
                if (!configuration.CanReadCollection(principal, schema.Name))
                {
                    continue;
                }

                var freshness = await replica.GetFreshnessAsync(schema.Name.Text, cancellationToken);
                var canCreate = configuration.GrantsFor(principal, schema.Name).Any(g => g.Write);
                collections.Add(ConsoleViews.Collection(schema, freshness, canCreate));
            }
        }

        var counts = await replica.GetOutboxCountsAsync(cancellationToken);
        return Json(new JsonObject
        {
            ["replicaId"] = replica.ReplicaId.ToString(),
            ["user"] = replica.Principal?.User,
            ["roles"] = new JsonArray([.. (replica.Principal?.Roles ?? new HashSet<string>()).Order(StringComparer.Ordinal).Select(r => (JsonNode)r)]),
            ["configured"] = replica.Configuration is not null,
            ["offlineMode"] = replica.IsInOfflineMode,
            ["offline"] = replica.IsOffline,
            ["outbox"] = new JsonObject { ["pending"] = counts.Pending, ["errors"] = counts.Errors },
            ["sync"] = sync.Status(),
            ["collections"] = collections,
        });
    }

    private static async Task<IResult> RecordsAsync(ReplicaStore replica, string collection, CancellationToken cancellationToken)
    {
        var result = await replica.QueryAsync(new RecordQuery(new CollectionName(collection)), cancellationToken);
        var records = new JsonArray();
        var locks = await LocksAsync(replica, cancellationToken);
        foreach (var record in result.Records)
        {
            records.Add(await RecordViewAsync(replica, record, locks, cancellationToken));
        }

        return Json(new JsonObject { ["collection"] = collection, ["freshness"] = ConsoleViews.Freshness(result.Freshness), ["records"] = records });
    }

    private static async Task<IResult> RecordAsync(ReplicaStore replica, string collection, string id, CancellationToken cancellationToken)
    {
        var record = await replica.GetAsync(collection, id, cancellationToken)
            ?? throw new RecordNotFoundException(new CollectionName(collection), new RecordId(id));
        var view = await RecordViewAsync(replica, record, await LocksAsync(replica, cancellationToken), cancellationToken);
        var entries = await replica.GetOutboxAsync(collection, id, cancellationToken);
        view["outbox"] = new JsonArray([.. entries.Select(e => (JsonNode)ConsoleViews.Entry(e, replica.Configuration, replica.Principal?.User))]);
        return Json(view);
    }

    private static async Task<Dictionary<(string, string), long>> LocksAsync(ReplicaStore replica, CancellationToken cancellationToken)
    {
        var locks = new Dictionary<(string, string), long>();
        foreach (var entry in await replica.GetOutboxAsync(cancellationToken: cancellationToken))
        {
            if (entry.IsError)
            {
                locks.TryAdd((entry.Collection.Text, entry.RecordId.Text), entry.EntryId);
            }
        }

        return locks;
    }

    private static async Task<JsonObject> RecordViewAsync(ReplicaStore replica, RecordSnapshot record, Dictionary<(string, string), long> locks, CancellationToken cancellationToken)
    {
        var actions = await replica.GetAvailableActionsAsync(record.Collection.Text, record.Id.Text, cancellationToken);
        var canDelete = replica.Configuration is { } configuration && replica.Principal is { } principal
            && configuration.Allows(principal, record.Collection, f => record.State[f], g => g.Delete);
        long? lockedBy = locks.TryGetValue((record.Collection.Text, record.Id.Text), out var entry) ? entry : null;
        return ConsoleViews.Record(record, actions, canDelete, lockedBy);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ReplicaStore replica, string collection)
    {
        var body = await ConsoleRequests.BodyAsync(http.Request);
        var schema = Schema(replica, collection);
        var fields = ConsoleValues.FromJson(body["fields"], schema.Fields, "fields");
        var id = await replica.CreateAsync(collection, fields, ConsoleRequests.OptionalString(body, "id"), http.RequestAborted);
        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "create"));
        return Json(new JsonObject { ["collection"] = collection, ["id"] = id.Text }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> EditAsync(HttpContext http, ReplicaStore replica, string collection, string id)
    {
        var body = await ConsoleRequests.BodyAsync(http.Request);
        var fields = ConsoleValues.FromJson(body["fields"], Schema(replica, collection).Fields, "fields");
        await replica.UpdateAsync(collection, id, fields, http.RequestAborted);
        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "edit"));
        return Json(new JsonObject { ["collection"] = collection, ["id"] = id });
    }

    private static async Task<IResult> DeleteAsync(ReplicaStore replica, string collection, string id, CancellationToken cancellationToken)
    {
        await replica.DeleteAsync(collection, id, cancellationToken);
        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "delete"));
        return Json(new JsonObject { ["collection"] = collection, ["id"] = id });
    }

    private static async Task<IResult> ActAsync(HttpContext http, ReplicaStore replica, string collection, string id, string action)
    {
        var body = await ConsoleRequests.BodyAsync(http.Request);
        var schema = Schema(replica, collection);
        var arguments = schema.Actions.TryGetValue(new ActionName(action), out var definition) ? definition.Arguments : new Dictionary<FieldName, FieldSchema>();
        var values = ConsoleValues.FromJson(body["arguments"], arguments, "arguments");
        await replica.PerformActionAsync(collection, id, action, values, http.RequestAborted);
        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "action"));
        return Json(new JsonObject { ["collection"] = collection, ["id"] = id, ["action"] = action });
    }

    private static async Task<IResult> OutboxAsync(ReplicaStore replica, CancellationToken cancellationToken)
    {
        var entries = await replica.GetOutboxAsync(cancellationToken: cancellationToken);
        return Json(new JsonObject
        {
            ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)ConsoleViews.Entry(e, replica.Configuration, replica.Principal?.User))]),
        });
    }

    private static async Task<IResult> ResolveAsync(HttpContext http, ReplicaStore replica, long entryId)
    {
        var body = await ConsoleRequests.BodyAsync(http.Request);
        var entry = (await replica.GetOutboxAsync(cancellationToken: http.RequestAborted)).FirstOrDefault(e => e.EntryId == entryId)
            ?? throw new OutboxEntryNotFoundException(entryId);
        if (body["fields"] is null)
        {
            await replica.RetryAsync(entryId, http.RequestAborted);
        }
        else
        {
            var schema = Schema(replica, entry.Collection.Text);
            var types = entry.Change.ActionName is { } action && schema.Actions.TryGetValue(action, out var definition) ? definition.Arguments : schema.Fields;
            await replica.ResolveAsync(entryId, ConsoleValues.FromJson(body["fields"], types, "fields"), http.RequestAborted);
        }

        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "resolve"));
        return Json(new JsonObject { ["entry"] = entryId });
    }

    private static async Task<IResult> DiscardAsync(ReplicaStore replica, long entryId, CancellationToken cancellationToken)
    {
        await replica.DiscardAsync(entryId, cancellationToken);
        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "discard"));
        return Json(new JsonObject { ["entry"] = entryId });
    }

    private static async Task<IResult> OfflineAsync(HttpContext http, ReplicaStore replica)
    {
        var body = await ConsoleRequests.BodyAsync(http.Request);
        if (ConsoleRequests.RequiredBool(body, "offline"))
        {
            await replica.EnterOfflineModeAsync(http.RequestAborted);
        }
        else
        {
            await replica.LeaveOfflineModeAsync(http.RequestAborted);
        }

        ConsoleMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", "offline"));
        return Json(new JsonObject { ["offlineMode"] = replica.IsInOfflineMode });
    }

    private static CollectionSchema Schema(ReplicaStore replica, string collection)
    {
        var configuration = replica.Configuration ?? throw new NotConfiguredException();
        return configuration.Collections.TryGetValue(new CollectionName(collection), out var schema)
            ? schema
            : throw new UnknownCollectionException(new CollectionName(collection), configuration.Collections.Keys);
    }
}
