using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// The key of a record's transaction-level advisory lock (<c>pg_advisory_xact_lock(bigint)</c>): the first 8 bytes of
/// SHA-256 over collection and record id. The lock exists before the row does, so two instances creating the same
/// record serialize too. Two records sharing a key (a 2^-64 chance) merely serialize; correctness does not depend on it.
/// </summary>
internal static class PostgresRecordLock
{
    public static long KeyOf(CollectionName collection, RecordId id)
    {
        var text = Encoding.UTF8.GetBytes(collection.Text + "\0" + id.Text);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(text, hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }
}
