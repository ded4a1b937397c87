using System.Text.Json.Nodes;
using CrdtSync.WebConsole.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace CrdtSync.WebConsole.Live;

/// <summary><c>GET /api/events</c>: server-sent events, a <c>hello</c> first, then every change, with keep-alive comments.</summary>
internal static class EventStreamEndpoint
{
    public static async Task StreamAsync(HttpContext context, ConsoleEventHub hub, ReplicaConsoleOptions options, TimeProvider time)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancellationToken = context.RequestAborted;
        using var subscription = hub.Open();
        ConsoleMetrics.EventStreams.Add(1);
        try
        {
            await WriteAsync(response, new ConsoleEvent("hello", new JsonObject { ["at"] = time.GetUtcNow().ToString("O") }.ToJsonString()), cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(options.EventStreamKeepAlive);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscription.Reader.TryRead(out var message))
                {
                    await WriteAsync(response, message, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The page went away.
        }
        finally
        {
            ConsoleMetrics.EventStreams.Add(-1);
        }
    }

    private static async Task WriteAsync(HttpResponse response, ConsoleEvent message, CancellationToken cancellationToken)
    {
        await response.WriteAsync($"event: {message.Name}\ndata: {message.Data}\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
