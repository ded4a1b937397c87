using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdtSync.WebConsole.Api;

/// <summary>Reading request bodies and route values, each failure a typed error.</summary>
internal static class ConsoleRequests
{
    /// <summary>The body as a JSON object; an empty body reads as <c>{}</c>. Only <c>application/json</c> is accepted.</summary>
    public static async Task<JsonObject> BodyAsync(HttpRequest request)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return [];
        }

        if (!request.HasJsonContentType())
        {
            throw new ConsoleRequestException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"The body must be JSON (Content-Type: application/json), not '{request.ContentType}'.");
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_json", $"The body is not valid JSON: {exception.Message}");
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ConsoleRequestException(StatusCodes.Status413PayloadTooLarge, "body_too_large", "The body is larger than the console accepts.");
        }

        return node as JsonObject ?? throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_json", "The body must be a JSON object.");
    }

    /// <summary>An outbox entry id from the route.</summary>
    public static long EntryId(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_entry", $"'{text}' is not an outbox entry number.");

    /// <summary>A boolean member of a body; required.</summary>
    public static bool RequiredBool(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<bool>(out var flag)
            ? flag
            : throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_json", $"'{name}' must be true or false.", name);

    /// <summary>An optional string member of a body.</summary>
    public static string? OptionalString(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length == 0 ? null : text,
        _ => throw new ConsoleRequestException(StatusCodes.Status400BadRequest, "bad_json", $"'{name}' must be a string.", name),
    };
}
