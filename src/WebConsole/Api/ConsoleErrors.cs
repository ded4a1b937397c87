using System.Text.Json.Nodes;
using CrdtSync.Crdt.Errors;
using CrdtSync.Replica.Errors;
using CrdtSync.Replica.Transport;
using Microsoft.AspNetCore.Http;

namespace CrdtSync.WebConsole.Api;

/// <summary>
/// Every refusal as one JSON shape: <c>{"error": code, "message": text, "field"?, "reason"?, "entry"?}</c> with a fitting
/// status. The message is the replica's own (it says what to do); nothing is written when an error is answered.
/// </summary>
internal static class ConsoleErrors
{
    public static Task WriteAsync(HttpContext context, int status, string code, string message, JsonObject? extra = null)
    {
        var body = new JsonObject { ["error"] = code, ["message"] = message };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>The answer for an exception a call raised, or null when it is not one the console expects.</summary>
    public static (int Status, string Code, JsonObject Extra)? Map(Exception exception) => exception switch
    {
        ConsoleRequestException e => (e.Status, e.Code, new JsonObject { ["field"] = e.Field }),
        InvalidIdentifierException e => (StatusCodes.Status400BadRequest, "invalid_identifier", new JsonObject { ["field"] = e.Kind }),
        UnknownCollectionException => (StatusCodes.Status404NotFound, "unknown_collection", []),
        RecordNotFoundException => (StatusCodes.Status404NotFound, "record_not_found", []),
        OutboxEntryNotFoundException => (StatusCodes.Status404NotFound, "entry_not_found", []),
        InvalidChangeException e => (StatusCodes.Status422UnprocessableEntity, "invalid_change", new JsonObject { ["reason"] = e.Reason, ["field"] = e.Field?.Text }),
        ActionNotAvailableException e => (StatusCodes.Status409Conflict, "action_not_available", new JsonObject { ["reason"] = e.Reason, ["action"] = e.Action.Text }),
        PermissionDeniedException => (StatusCodes.Status403Forbidden, "permission_denied", []),
        RecordAlreadyExistsException => (StatusCodes.Status409Conflict, "record_exists", []),
        RecordDeletedException => (StatusCodes.Status409Conflict, "record_deleted", []),
        RecordLockedException e => (StatusCodes.Status409Conflict, "record_locked", new JsonObject { ["entry"] = e.EntryId }),
        EntryNotResolvableException => (StatusCodes.Status409Conflict, "entry_not_resolvable", []),
        CacheExpiredException => (StatusCodes.Status409Conflict, "cache_expired", []),
        OfflineModeException => (StatusCodes.Status409Conflict, "offline_mode", []),
        NotConfiguredException => (StatusCodes.Status409Conflict, "not_configured", []),
        RelayTransportException => (StatusCodes.Status502BadGateway, "relay_unreachable", []),
        ReplicaIdentityMismatchException => (StatusCodes.Status409Conflict, "replica_identity_mismatch", []),
        ReplicaException or CrdtException => (StatusCodes.Status400BadRequest, "refused", []),
        _ => null,
    };

    /// <summary>Runs a call and answers its expected failures as typed JSON errors.</summary>
    public static async Task<IResult> Guard(HttpContext context, Func<Task<IResult>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception exception) when (Map(exception) is { } mapped)
        {
            var extra = new JsonObject();
            foreach (var (key, value) in mapped.Extra)
            {
                if (value is not null)
                {
                    extra[key] = value.DeepClone();
                }
            }

            await WriteAsync(context, mapped.Status, mapped.Code, exception.Message, extra).ConfigureAwait(false);
            return Results.Empty;
        }
    }
}
