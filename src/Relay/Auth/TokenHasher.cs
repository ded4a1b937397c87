using System.Security.Cryptography;
using System.Text;

namespace CrdtSync.Relay.Auth;

/// <summary>Device tokens: 32 random bytes in base64url with a <c>csd_</c> prefix; only their SHA-256 is stored.</summary>
internal static class TokenHasher
{
    public const string DevicePrefix = "csd_";

    public static string NewToken(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Compares in constant time (for the admin credential).</summary>
    public static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(expected));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
