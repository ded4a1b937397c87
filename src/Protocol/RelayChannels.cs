using Grpc.Core;
using Grpc.Net.Client;

namespace CrdtSync.Protocol;

/// <summary>Channels to a relay that send a bearer token (device token or admin credential) with every call.</summary>
public static class RelayChannels
{
    /// <summary>
    /// A channel to <paramref name="address"/> (e.g. <c>http://127.0.0.1:5290</c>) sending <c>authorization: Bearer
    /// <paramref name="token"/></c>. Over <c>http://</c> the token travels in clear: use it on loopback only.
    /// </summary>
    public static GrpcChannel ForAddress(Uri address, string token, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrEmpty(token);
        options ??= new GrpcChannelOptions();
        var bearer = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        options.Credentials = address.Scheme == Uri.UriSchemeHttps
            ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, bearer)
            : ChannelCredentials.Create(ChannelCredentials.Insecure, bearer);
        options.UnsafeUseInsecureChannelCallCredentials = address.Scheme != Uri.UriSchemeHttps;
        return GrpcChannel.ForAddress(address, options);
    }
}
