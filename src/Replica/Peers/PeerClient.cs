using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using CrdtSync.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// Syncs a replica with one peer at a time by anti-entropy: pull what this replica misses (its contiguous vector says
/// what it has), then push what the peer misses (the vector the peer answered with). Only missing changes travel; a change
/// whose predecessor is missing is held by the receiver and asked for again by its vector.
/// </summary>
public sealed class PeerClient : IDisposable
{
    private readonly ReplicaStore _replica;
    private readonly PeerClientOptions _options;
    private readonly TeamCredential _team;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    /// <summary>Creates a client for <paramref name="replica"/>.</summary>
    /// <exception cref="ArgumentException">No team secret, or one too short.</exception>
    public PeerClient(ReplicaStore replica, PeerClientOptions options, ILogger<PeerClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(options);
        _replica = replica;
        _options = options;
        _team = new TeamCredential(options.TeamSecret);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>One anti-entropy round with the peer at <paramref name="peer"/> (e.g. <c>http://127.0.0.3:5300</c>).</summary>
    /// <exception cref="PeerUnreachableException">The call failed: the peer is down, refused the team credential (<see cref="PeerUnreachableException.StatusCode"/> Unauthenticated), or timed out.</exception>
    /// <exception cref="PeerProtocolException">The peer answered with bytes the protocol forbids.</exception>
    public async Task<PeerSyncReport> SyncWithAsync(Uri peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var client = new Protocol.V1.Peer.PeerClient(Channel(peer));
        var self = ByteString.CopyFrom(_replica.ReplicaId.ToByteArray());
        long bytesSent = 0, bytesReceived = 0;
        int calls = 0, received = 0, sent = 0, heldThere = 0, tooFarAhead = 0;
        try
        {
            var hello = await client.HelloAsync(new PeerHelloRequest { ReplicaId = self, ProtocolVersion = PeerWire.ProtocolVersion }, Call(cancellationToken));
            calls++;
            if (hello.ProtocolVersion != PeerWire.ProtocolVersion)
            {
                throw new PeerProtocolException($"The peer at {peer} speaks peer protocol {hello.ProtocolVersion}; this build speaks {PeerWire.ProtocolVersion}. Upgrade the older one.");
            }

            var peerId = PeerWire.Origin(hello.ReplicaId);

            // Pull: what this replica misses.
            PeerPullResponse answer;
            do
            {
                var request = new PeerPullRequest
                {
                    ReplicaId = self,
                    Have = PeerWire.ToWire(await _replica.GetPeerVersionAsync(cancellationToken).ConfigureAwait(false)),
                    CountMax = _options.PageCountMax,
                };
                answer = await client.PullAsync(request, Call(cancellationToken));
                calls++;
                bytesSent += request.CalculateSize();
                bytesReceived += answer.CalculateSize();
                var set = PeerWire.FromWire(answer.Changes);
                if (set.Count == 0)
                {
                    break;
                }

                var report = await _replica.ApplyPeerChangesAsync(set, cancellationToken).ConfigureAwait(false);
                received += report.Applied;
                tooFarAhead += report.TooFarAhead;
                if (report.Applied == 0)
                {
                    break; // nothing new although more was announced: stop rather than loop
                }
            }
            while (answer.More);

            // Push: what the peer misses, from the vector it answered with.
            var theirs = PeerWire.FromWire(answer.Have);
            while (true)
            {
                var set = await _replica.GetPeerChangesAsync(theirs, _options.PageCountMax, cancellationToken).ConfigureAwait(false);
                if (set.Count == 0)
                {
                    break;
                }

                var request = new PeerPushRequest { ReplicaId = self, Changes = PeerWire.ToWire(set) };
                var pushed = await client.PushAsync(request, Call(cancellationToken));
                calls++;
                bytesSent += request.CalculateSize();
                bytesReceived += pushed.CalculateSize();
                sent += pushed.Applied;
                heldThere = pushed.Held;
                var next = PeerWire.FromWire(pushed.Have);
                if (!set.More || pushed.Applied == 0)
                {
                    break;
                }

                theirs = next;
            }

            var heldHere = await _replica.GetHeldPeerChangeCountAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Synced with peer {Peer} at {Address}: received {Received}, sent {Sent}, {Bytes} bytes", peerId, peer, received, sent, bytesSent + bytesReceived);
            return new PeerSyncReport(peerId, received, sent, heldHere, heldThere, bytesReceived, bytesSent, calls, tooFarAhead);
        }
        catch (RpcException exception)
        {
            _logger.LogWarning("Peer {Address} failed: {Status} {Detail}", peer, exception.StatusCode, exception.Status.Detail);
            throw new PeerUnreachableException(peer, exception.StatusCode, exception.Status.Detail, exception);
        }
    }

    /// <summary>Closes the channels.</summary>
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private CallOptions Call(CancellationToken cancellationToken) => new(
        headers: [new Metadata.Entry("authorization", "Bearer " + _team.Secret)],
        deadline: DateTime.UtcNow + _options.CallTimeout,
        cancellationToken: cancellationToken);

    private GrpcChannel Channel(Uri peer) => _channels.GetOrAdd(peer, address =>
    {
        var secure = address.Scheme == Uri.UriSchemeHttps;
        if (!secure && address.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{address}' is not an http:// or https:// peer address.", nameof(peer));
        }

        if (!secure && !(IPAddress.TryParse(address.Host, out var ip) && IPAddress.IsLoopback(ip)) && address.Host != "localhost" && !_options.AllowInsecureRemote)
        {
            throw new ArgumentException(
                $"Refusing to call {address} without TLS: the team secret would travel in clear. Use https://, or set AllowInsecureRemote if the network is trusted.", nameof(peer));
        }

        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (secure && _options.PinnedCertificateSha256 is { } pin)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None ||
                    (certificate is not null && string.Equals(Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), pin, StringComparison.OrdinalIgnoreCase)),
            };
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = _options.MessageBytesMax,
            MaxSendMessageSize = _options.MessageBytesMax,
        });
    });
}
