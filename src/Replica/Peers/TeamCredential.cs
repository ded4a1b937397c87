using System.Security.Cryptography;
using System.Text;

namespace CrdtSync.Replica.Peers;

/// <summary>
/// The team's shared secret: every peer call carries it as <c>authorization: Bearer &lt;secret&gt;</c>, and a peer refuses
/// any call without it. Only its SHA-256 is kept; the comparison is constant-time (on the hashes, so not even the length leaks).
/// </summary>
public sealed class TeamCredential
{
    private readonly byte[] _hash;

    /// <summary>Creates the credential from the secret (at least 16 characters: it is all that keeps strangers out).</summary>
    /// <exception cref="ArgumentException">The secret is shorter than 16 characters.</exception>
    public TeamCredential(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 16)
        {
            throw new ArgumentException("A team secret needs at least 16 characters (e.g. from `openssl rand -base64 24`).", nameof(secret));
        }

        Secret = secret;
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>The secret, to send.</summary>
    internal string Secret { get; }

    /// <summary>A short id of the team (first 8 bytes of SHA-256 over a domain tag and the secret), safe to announce on the LAN.</summary>
    public byte[] TeamTag => SHA256.HashData(Encoding.UTF8.GetBytes("crdtsync-peer-team:" + Secret))[..8];

    /// <summary>True when <paramref name="authorizationHeader"/> is <c>Bearer &lt;this secret&gt;</c>.</summary>
    public bool Accepts(string? authorizationHeader)
    {
        const string prefix = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorizationHeader[prefix.Length..]));
        return CryptographicOperations.FixedTimeEquals(presented, _hash);
    }
}
