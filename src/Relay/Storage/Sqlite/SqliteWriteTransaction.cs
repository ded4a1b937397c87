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

/// <summary>One write transaction of <see cref="SqliteRelayStore"/>, on the writer's prepared statements.</summary>
internal sealed class SqliteWriteTransaction(SqliteConnection connection, SqliteTransaction transaction, SqliteWriteStatements statements) : IRelayWriteTransaction
{
    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken)
    {
        var command = statements.FindOutcome;
        command.Parameters[0].Value = id.Origin.ToByteArray();
        command.Parameters[1].Value = id.Sequence;
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
        var command = statements.LoadRecord;
        command.Parameters[0].Value = collection.Text;
        command.Parameters[1].Value = id.Text;
        using var reader = command.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? SqliteRelayStore.ReadRecord(reader, 0) : new StoredRecord(new RecordState(collection, id), null));
    }

    public ValueTask<long> AppendLogAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // One writer at a time: the head read here stays the head until this transaction commits.
        var first = SqliteRelayStore.ReadHeadAndFloor(Connection, Transaction).Head + 1;
        var command = statements.InsertLog;
        for (var i = 0; i < entries.Count; i++)
        {
            command.Parameters[0].Value = first + i;
            command.Parameters[1].Value = entries[i].Collection.Text;
            command.Parameters[2].Value = entries[i].RecordId.Text;
            command.Parameters[3].Value = entries[i].Change;
            command.ExecuteNonQuery();
        }

        return ValueTask.FromResult(first);
    }

    public ValueTask<byte[]?> ReadLogEntryAsync(long sequence, CancellationToken cancellationToken)
    {
        var command = statements.ReadLogEntry;
        command.Parameters[0].Value = sequence;
        return ValueTask.FromResult(command.ExecuteScalar() as byte[]);
    }

    public ValueTask SaveRecordsAsync(IReadOnlyCollection<StoredRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var command = statements.SaveRecord;
        foreach (var record in records)
        {
            command.Parameters[0].Value = record.State.Collection.Text;
            command.Parameters[1].Value = record.State.Id.Text;
            command.Parameters[2].Value = RecordStateCodec.Encode(record.State);
            command.Parameters[3].Value = record.LastLive is null ? DBNull.Value : RecordStateCodec.Encode(record.LastLive);
            command.ExecuteNonQuery();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SaveOutcomesAsync(IReadOnlyList<StoredOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var command = statements.SaveOutcome;
        foreach (var outcome in outcomes)
        {
            command.Parameters[0].Value = outcome.Id.Origin.ToByteArray();
            command.Parameters[1].Value = outcome.Id.Sequence;
            command.Parameters[2].Value = outcome.Collection.Text;
            command.Parameters[3].Value = outcome.RecordId.Text;
            command.Parameters[4].Value = (int)outcome.Kind;
            command.Parameters[5].Value = outcome.Reason;
            command.Parameters[6].Value = outcome.Message;
            command.Parameters[7].Value = (object?)outcome.Field ?? DBNull.Value;
            command.Parameters[8].Value = outcome.LogSequence;
            command.Parameters[9].Value = outcome.EffectSequence;
            command.ExecuteNonQuery();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<RelayClockState> LoadClockAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ReadClock(Connection, Transaction));

    public ValueTask SaveClockAsync(RelayClockState clock, CancellationToken cancellationToken)
    {
        var saved = ReadClock(Connection, Transaction);
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Math.Max(saved.LastTime, clock.LastTime));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), Math.Max(saved.OriginSequence, clock.OriginSequence));
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
}
