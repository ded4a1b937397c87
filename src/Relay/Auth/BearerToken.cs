using Grpc.Core;

namespace CrdtSync.Relay.Auth;

/// <summary>Reads <c>authorization: Bearer &lt;token&gt;</c> from call metadata.</summary>
internal static class BearerToken
{
    public static string? From(Metadata headers)
    {
        var value = headers.GetValue("authorization");
        const string scheme = "Bearer ";
        return value is not null && value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > scheme.Length
            ? value[scheme.Length..].Trim()
            : null;
    }
}
