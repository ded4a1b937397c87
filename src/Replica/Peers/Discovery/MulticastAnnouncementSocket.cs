using System.Net;
using System.Net.Sockets;

namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>
/// One UDP socket joined to the team's multicast group on one interface: it sends this replica's announcements and
/// receives everyone's (its own included; the caller drops those). Several replicas on one host share the port.
/// </summary>
internal sealed class MulticastAnnouncementSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly IPEndPoint _group;

    private MulticastAnnouncementSocket(Socket socket, IPEndPoint group)
    {
        _socket = socket;
        _group = group;
    }

    /// <exception cref="ArgumentException">The group is not an IPv4 multicast address, or the interface not an IPv4 address.</exception>
    public static MulticastAnnouncementSocket Open(PeerDiscoveryOptions options)
    {
        if (!IPAddress.TryParse(options.MulticastGroup, out var group) || group.AddressFamily != AddressFamily.InterNetwork || (group.GetAddressBytes()[0] & 0xF0) != 0xE0)
        {
            throw new ArgumentException($"'{options.MulticastGroup}' is not an IPv4 multicast group (224.0.0.0 to 239.255.255.255).", nameof(options));
        }

        var local = IPAddress.Any;
        if (options.MulticastInterface is { } text && (!IPAddress.TryParse(text, out local!) || local.AddressFamily != AddressFamily.InterNetwork))
        {
            throw new ArgumentException($"'{text}' is not the IPv4 address of an interface.", nameof(options));
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, options.MulticastPort));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(group, local));
            if (!local.Equals(IPAddress.Any))
            {
                // Loopback has no multicast route: naming the interface makes the kernel send (and loop back) there.
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.GetAddressBytes());
            }

            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, options.MulticastTimeToLive);
            return new MulticastAnnouncementSocket(socket, new IPEndPoint(group, options.MulticastPort));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(byte[] announcement, CancellationToken cancellationToken) =>
        await _socket.SendToAsync(announcement, SocketFlags.None, _group, cancellationToken).ConfigureAwait(false);

    /// <summary>The next datagram's bytes (at most <see cref="PeerAnnouncement.BytesMax"/>; longer ones come truncated and fail to decode).</summary>
    public async Task<byte[]> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[PeerAnnouncement.BytesMax + 1];
        var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken).ConfigureAwait(false);
        return buffer[..received.ReceivedBytes];
    }

    public void Dispose() => _socket.Dispose();
}
