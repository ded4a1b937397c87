using System.Buffers.Binary;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Microsoft.Data.Sqlite;

namespace CrdtSync.Relay.Storage.Sqlite;

/// <summary>One write transaction of <see cref="SqliteRelayStore"/>.</summary>
internal sealed class SqliteWriteTransaction(SqliteConnection connection, SqliteTransaction transaction) : IRelayWriteTransaction
{
    private long _head = -1;

    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT collection, record_id, kind, reason, message, field, log_sequence, effect_sequence FROM outcomes WHERE origin = $o AND sequence = $s");
        command.Parameters.AddWithValue("$o", id.Origin.ToByteArray());
        command.Parameters.AddWithValue("$s", id.Sequence);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return ValueTask.FromResult<StoredOutcome?>(null);
        }

        return ValueTask.FromResult<StoredOutcome?>(new StoredOutcome(
            id, new CollectionName(reader.GetString(0)), new RecordId(reader.GetString(1)), (OutcomeKind)reader.GetInt32(2),
            reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7)));
    }

    public ValueTask<StoredRecord> LoadRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT state, last_live FROM records WHERE collection = $c AND record_id = $r");
        command.Parameters.AddWithValue("$c", collection.Text);
        command.Parameters.AddWithValue("$r", id.Text);
        using var reader = command.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? SqliteRelayStore.ReadRecord(reader, 0) : new StoredRecord(new RecordState(collection, id), null));
    }

    public ValueTask<long> AppendLogAsync(Change change, byte[] encoded, CancellationToken cancellationToken)
    {
        if (_head < 0)
        {
            _head = SqliteRelayStore.ReadHeadAndFloor(Connection, Transaction).Head;
        }

        var sequence = _head + 1;
        using var command = Command("INSERT INTO log (sequence, collection, record_id, change) VALUES ($s, $c, $r, $b)");
        command.Parameters.AddWithValue("$s", sequence);
        command.Parameters.AddWithValue("$c", change.Collection.Text);
        command.Parameters.AddWithValue("$r", change.RecordId.Text);
        command.Parameters.AddWithValue("$b", encoded);
        command.ExecuteNonQuery();
        _head = sequence;
        return ValueTask.FromResult(sequence);
    }

    public ValueTask<byte[]?> ReadLogEntryAsync(long sequence, CancellationToken cancellationToken)
    {
        using var command = Command("SELECT change FROM log WHERE sequence = $s");
        command.Parameters.AddWithValue("$s", sequence);
        return ValueTask.FromResult(command.ExecuteScalar() as byte[]);
    }

    public ValueTask SaveRecordAsync(StoredRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var command = Command("""
            INSERT INTO records (collection, record_id, state, last_live) VALUES ($c, $r, $s, $l)
            ON CONFLICT (collection, record_id) DO UPDATE SET state = excluded.state, last_live = excluded.last_live
            """);
        command.Parameters.AddWithValue("$c", record.State.Collection.Text);
        command.Parameters.AddWithValue("$r", record.State.Id.Text);
        command.Parameters.AddWithValue("$s", RecordStateCodec.Encode(record.State));
        command.Parameters.AddWithValue("$l", record.LastLive is null ? DBNull.Value : RecordStateCodec.Encode(record.LastLive));
        command.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveOutcomeAsync(StoredOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        using var command = Command("""
            INSERT INTO outcomes (origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence)
            VALUES ($o, $s, $c, $r, $k, $reason, $message, $field, $log, $effect)
            """);
        command.Parameters.AddWithValue("$o", outcome.Id.Origin.ToByteArray());
        command.Parameters.AddWithValue("$s", outcome.Id.Sequence);
        command.Parameters.AddWithValue("$c", outcome.Collection.Text);
        command.Parameters.AddWithValue("$r", outcome.RecordId.Text);
        command.Parameters.AddWithValue("$k", (int)outcome.Kind);
        command.Parameters.AddWithValue("$reason", outcome.Reason);
        command.Parameters.AddWithValue("$message", outcome.Message);
        command.Parameters.AddWithValue("$field", (object?)outcome.Field ?? DBNull.Value);
        command.Parameters.AddWithValue("$log", outcome.LogSequence);
        command.Parameters.AddWithValue("$effect", outcome.EffectSequence);
        command.ExecuteNonQuery();
        return ValueTask.CompletedTask;
    }

    public ValueTask<RelayClockState> LoadClockAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ReadClock(Connection, Transaction));

    public ValueTask SaveClockAsync(RelayClockState clock, CancellationToken cancellationToken)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, clock.LastTime);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), clock.OriginSequence);
        SqliteRelayStore.WriteMeta(Connection, Transaction, "clock", bytes);
        return ValueTask.CompletedTask;
    }

    internal static RelayClockState ReadClock(SqliteConnection connection, SqliteTransaction transaction)
    {
        var bytes = SqliteRelayStore.ReadMeta(connection, transaction, "clock");
        return bytes is null
            ? default
            : new RelayClockState(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8)));
    }

    private SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }
}
