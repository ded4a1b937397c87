using System.Buffers.Binary;
using System.Text;
using CrdtSync.Crdt.Clocks;

namespace CrdtSync.Replica.Peers.Discovery;

/// <summary>
/// What a replica multicasts on the LAN so its team finds it: the team tag (<see cref="TeamCredential.TeamTag"/>, so
/// strangers' announcements are told apart without revealing the secret), its replica id and where its peer endpoint listens.
/// </summary>
/// <remarks>
/// Bytes: a version byte (<see cref="Version"/>), the 8-byte team tag, the 16-byte replica id, the address as a big-endian
/// 16-bit length and that many UTF-8 bytes, nothing after. Decoding is all or nothing.
/// </remarks>
/// <param name="TeamTag">The 8-byte tag of the announcing replica's team.</param>
/// <param name="Replica">The announcing replica.</param>
/// <param name="Address">Its peer endpoint, an absolute <c>http://</c> or <c>https://</c> address.</param>
public sealed record PeerAnnouncement(byte[] TeamTag, ReplicaId Replica, Uri Address)
{
    /// <summary>The format version this build writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>The size of a team tag, in bytes.</summary>
    public const int TeamTagSize = 8;

    /// <summary>The largest announcement, in bytes (one small datagram).</summary>
    public const int BytesMax = 512;

    private const int HeaderSize = 1 + TeamTagSize + ReplicaId.Size + 2;

    /// <summary>The announcement's bytes.</summary>
    /// <exception cref="ArgumentException">The tag is not 8 bytes, or the address is not an absolute http(s) address or too long.</exception>
    public byte[] Encode()
    {
        if (TeamTag is not { Length: TeamTagSize })
        {
            throw new ArgumentException($"A team tag has {TeamTagSize} bytes.", nameof(TeamTag));
        }

        CheckAddress(Address);
        var address = Encoding.UTF8.GetBytes(Address.AbsoluteUri);
        if (HeaderSize + address.Length > BytesMax)
        {
            throw new ArgumentException($"The address {Address} is too long to announce ({BytesMax} bytes at most in all).", nameof(Address));
        }

        var bytes = new byte[HeaderSize + address.Length];
        bytes[0] = Version;
        TeamTag.CopyTo(bytes, 1);
        Replica.WriteTo(bytes.AsSpan(1 + TeamTagSize, ReplicaId.Size));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(HeaderSize - 2), (ushort)address.Length);
        address.CopyTo(bytes, HeaderSize);
        return bytes;
    }

    /// <summary>Reads an announcement.</summary>
    /// <exception cref="PeerProtocolException">The bytes are not an announcement of this version (a newer one says to upgrade).</exception>
    public static PeerAnnouncement Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            throw new PeerProtocolException("An empty datagram is not a peer announcement.");
        }

        if (bytes[0] != Version)
        {
            throw new PeerProtocolException(bytes[0] > Version
                ? $"A peer announced itself in format {bytes[0]}; this build reads format {Version}. Upgrade this replica to see it."
                : $"Format {bytes[0]} is not a peer announcement format.");
        }

        if (bytes.Length < HeaderSize)
        {
            throw new PeerProtocolException($"A peer announcement has at least {HeaderSize} bytes; this one has {bytes.Length}.");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(HeaderSize - 2)..HeaderSize]);
        if (bytes.Length != HeaderSize + length)
        {
            throw new PeerProtocolException($"A peer announcement says its address has {length} bytes, but {bytes.Length - HeaderSize} follow.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[HeaderSize..]);
        }
        catch (DecoderFallbackException error)
        {
            throw new PeerProtocolException("A peer announcement's address is not UTF-8.", error);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new PeerProtocolException($"A peer announced '{text}', which is not an http:// or https:// address.");
        }

        return new PeerAnnouncement(bytes[1..(1 + TeamTagSize)].ToArray(), ReplicaId.FromBytes(bytes.Slice(1 + TeamTagSize, ReplicaId.Size)), address);
    }

    /// <summary>True when <paramref name="team"/>'s tag is this announcement's.</summary>
    public bool IsFrom(TeamCredential team)
    {
        ArgumentNullException.ThrowIfNull(team);
        return team.TeamTag.AsSpan().SequenceEqual(TeamTag);
    }

    private static void CheckAddress(Uri address)
    {
        if (address is null || !address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an absolute http:// or https:// address to announce.", nameof(address));
        }
    }
}
