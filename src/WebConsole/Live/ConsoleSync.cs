using System.Text.Json.Nodes;
using CrdtSync.Replica;
using CrdtSync.Replica.Sync;
using CrdtSync.WebConsole.Api;
using Microsoft.AspNetCore.Http;

namespace CrdtSync.WebConsole.Live;

/// <summary>
/// The console's side of the sync client: "Sync all" (one at a time, progress published as <c>progress</c> events) and
/// "download the offline cache" (subscribe to every readable collection, then sync). Without a client (a replica with
/// no relay) both answer <c>no_relay</c>.
/// </summary>
internal sealed class ConsoleSync(ReplicaStore replica, SyncClient? client, ConsoleEventHub hub)
{
    private readonly SemaphoreSlim _running = new(1, 1);

    public JsonObject Status() => client is null
        ? new JsonObject { ["available"] = false, ["state"] = "no_relay" }
        : StatusJson(client.Status);

    public static JsonObject StatusJson(SyncStatus status) => new()
    {
        ["available"] = true,
        ["state"] = status.State.ToString().ToLowerInvariant(),
        ["pending"] = status.PendingCount,
        ["errors"] = status.ErrorCount,
        ["cursor"] = status.Cursor,
        ["caughtUp"] = status.CaughtUp,
        ["lastContact"] = status.LastContact?.ToString("O"),
        ["lastError"] = status.LastError,
    };

    /// <summary>Pushes the outbox and pulls to the relay's head, publishing progress; refused while another sync runs.</summary>
    public async Task<JsonObject> SyncAllAsync(CancellationToken cancellationToken)
    {
        var syncClient = Require();
        if (!await _running.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            throw new ConsoleRequestException(StatusCodes.Status409Conflict, "sync_running", "A sync is already running; its progress shows on the page.");
        }

        void OnProgress(object? sender, SyncProgress progress) => hub.Publish("progress", new JsonObject
        {
            ["phase"] = progress.Phase.ToString().ToLowerInvariant(),
            ["pushed"] = progress.Pushed,
            ["received"] = progress.Received,
            ["cursor"] = progress.Cursor,
            ["head"] = progress.LogHead,
        });

        syncClient.Progress += OnProgress;
        try
        {
            hub.Publish("progress", new JsonObject { ["phase"] = "start" });
            var report = await syncClient.SyncAllAsync(cancellationToken).ConfigureAwait(false);
            var json = ReplicaJson.SyncReport(report);
            hub.Publish("synced", json.DeepClone().AsObject());
            return json;
        }
        catch (Exception exception) when (exception is not ConsoleRequestException)
        {
            hub.Publish("sync_failed", new JsonObject { ["message"] = exception.Message });
            throw;
        }
        finally
        {
            syncClient.Progress -= OnProgress;
            _running.Release();
        }
    }

    /// <summary>Subscribes every collection the user may read, then syncs so the offline cache is fresh.</summary>
    public async Task<JsonObject> DownloadAsync(CancellationToken cancellationToken)
    {
        var syncClient = Require();
        if (replica.Configuration is null)
        {
            // The handshake brings the configuration, which says which collections there are.
            await SyncAllAsync(cancellationToken).ConfigureAwait(false);
        }

        if (replica.Configuration is { } configuration && replica.Principal is { } principal)
        {
            var subscribed = (await replica.GetSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Collection).ToHashSet();
            foreach (var collection in configuration.Collections.Keys.Where(c => !subscribed.Contains(c) && configuration.CanReadCollection(principal, c)))
            {
                // Through the client, so a running one downloads it and follows it live.
                await syncClient.SubscribeAsync(collection.Text, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return await SyncAllAsync(cancellationToken).ConfigureAwait(false);
    }

    private SyncClient Require() => client ?? throw new ConsoleRequestException(StatusCodes.Status409Conflict, "no_relay",
        "This replica has no relay to sync with (it was made with init-local). Link it with 'crdtsync replica init --relay ...'.");
}
