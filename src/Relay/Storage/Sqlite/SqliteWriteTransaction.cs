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

/// <summary>
/// One write transaction of <see cref="SqliteRelayStore"/>, on the writer's prepared statements. <see cref="PrepareAsync"/>
/// reads a push's outcomes (one range per origin) and records (bulk) up front; writes go in bulk statements.
/// </summary>
internal sealed class SqliteWriteTransaction(SqliteConnection connection, SqliteTransaction transaction, SqliteWriteStatements statements) : IRelayWriteTransaction
{
    private readonly Dictionary<ChangeId, StoredOutcome?> _outcomes = [];
    private readonly Dictionary<(CollectionName, RecordId), StoredRecord> _records = [];

    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public ValueTask PrepareAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var origin in changes.GroupBy(c => c.Id.Origin))
        {
            var sequences = origin.Select(c => c.Id.Sequence).ToList();
            var (from, to) = (sequences.Min(), sequences.Max());
            // A device pushes its changes in sequence order, so its batch is one short range; a sparse one is read by id.
            if (to - from >= 4L * sequences.Count)
            {
                continue;
            }

            var command = statements.FindOutcomesOfOrigin;
            command.Parameters[0].Value = origin.Key.ToByteArray();
            command.Parameters[1].Value = from;
            command.Parameters[2].Value = to;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var id = new ChangeId(origin.Key, reader.GetInt64(0));
                    _outcomes[id] = ReadOutcome(id, reader, 1);
                }
            }

            foreach (var sequence in sequences)
            {
                _outcomes.TryAdd(new ChangeId(origin.Key, sequence), null);
            }
        }

        var keys = changes.Select(c => (c.Collection, c.RecordId)).Distinct().ToList();
        var load = statements.LoadRecords;
        for (var start = 0; start < keys.Count; start += SqliteWriteStatements.RowsPerStatement)
        {
            for (var i = 0; i < SqliteWriteStatements.RowsPerStatement; i++)
            {
                var (collection, id) = keys[Math.Min(start + i, keys.Count - 1)];
                load.Parameters[2 * i].Value = collection.Text;
                load.Parameters[(2 * i) + 1].Value = id.Text;
            }

            using var reader = load.ExecuteReader();
            while (reader.Read())
            {
                var record = SqliteRelayStore.ReadRecord(reader, 2);
                _records[(record.State.Collection, record.State.Id)] = record;
            }
        }

        foreach (var (collection, id) in keys)
        {
            _records.TryAdd((collection, id), new StoredRecord(new RecordState(collection, id), null));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken)
    {
        if (_outcomes.TryGetValue(id, out var known))
        {
            return ValueTask.FromResult(known);
        }

        var command = statements.FindOutcome;
        command.Parameters[0].Value = id.Origin.ToByteArray();
        command.Parameters[1].Value = id.Sequence;
        using var reader = command.ExecuteReader();
        return ValueTask.FromResult(reader.Read() ? ReadOutcome(id, reader, 0) : null);
    }

    public ValueTask<StoredRecord> LoadRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken)
    {
        if (_records.TryGetValue((collection, id), out var cached))
        {
            return ValueTask.FromResult(cached);
        }

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
        WriteRows(entries, statements.InsertLogRows, static (parameters, at, entry, index) =>
        {
            parameters[at].Value = index;
            parameters[at + 1].Value = entry.Collection.Text;
            parameters[at + 2].Value = entry.RecordId.Text;
            parameters[at + 3].Value = entry.Change;
        }, first);
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
        foreach (var record in records)
        {
            _records[(record.State.Collection, record.State.Id)] = record;
        }

        WriteRows([.. records], statements.SaveRecordRows, static (parameters, at, record, _) =>
        {
            parameters[at].Value = record.State.Collection.Text;
            parameters[at + 1].Value = record.State.Id.Text;
            parameters[at + 2].Value = RecordStateCodec.Encode(record.State);
            parameters[at + 3].Value = record.LastLive is null ? DBNull.Value : RecordStateCodec.Encode(record.LastLive);
        }, 0);
        return ValueTask.CompletedTask;
    }

    public ValueTask SaveOutcomesAsync(IReadOnlyList<StoredOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            _outcomes[outcome.Id] = outcome;
        }

        if (outcomes.Count > 0 && outcomes.All(o => IsPlainAcceptance(o) && o.Id.Origin == outcomes[0].Id.Origin))
        {
            var origin = outcomes[0].Id.Origin.ToByteArray();
            WriteRows(outcomes, rows =>
            {
                var command = statements.SaveAcceptedRows(rows);
                command.Parameters[^1].Value = origin;
                return command;
            }, static (parameters, at, outcome, _) =>
            {
                parameters[at].Value = outcome.Id.Sequence;
                parameters[at + 1].Value = outcome.Collection.Text;
                parameters[at + 2].Value = outcome.RecordId.Text;
                parameters[at + 3].Value = outcome.LogSequence;
                parameters[at + 4].Value = outcome.EffectSequence;
            }, 0);
            return ValueTask.CompletedTask;
        }

        WriteRows(outcomes, statements.SaveOutcomeRows, static (parameters, at, outcome, _) =>
        {
            parameters[at].Value = outcome.Id.Origin.ToByteArray();
            parameters[at + 1].Value = outcome.Id.Sequence;
            parameters[at + 2].Value = outcome.Collection.Text;
            parameters[at + 3].Value = outcome.RecordId.Text;
            parameters[at + 4].Value = (int)outcome.Kind;
            parameters[at + 5].Value = outcome.Reason;
            parameters[at + 6].Value = outcome.Message;
            parameters[at + 7].Value = (object?)outcome.Field ?? DBNull.Value;
            parameters[at + 8].Value = outcome.LogSequence;
            parameters[at + 9].Value = outcome.EffectSequence;
        }, 0);
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

    private static bool IsPlainAcceptance(StoredOutcome outcome) =>
        outcome.Kind == OutcomeKind.Accepted && outcome.Reason == "accepted" && outcome.Message == "accepted" && outcome.Field is null;

    private static StoredOutcome ReadOutcome(ChangeId id, SqliteDataReader reader, int at) => new(
        id, new CollectionName(reader.GetString(at)), new RecordId(reader.GetString(at + 1)), (OutcomeKind)reader.GetInt32(at + 2),
        reader.GetString(at + 3), reader.GetString(at + 4), reader.IsDBNull(at + 5) ? null : reader.GetString(at + 5), reader.GetInt64(at + 6), reader.GetInt64(at + 7));

    /// <summary>Writes <paramref name="rows"/> in statements of up to <see cref="SqliteWriteStatements.RowsPerStatement"/> rows each.</summary>
    private static void WriteRows<T>(IReadOnlyList<T> rows, Func<int, SqliteCommand> statementFor, Action<SqliteParameterCollection, int, T, long> bind, long firstIndex)
    {
        for (var start = 0; start < rows.Count; start += SqliteWriteStatements.RowsPerStatement)
        {
            var count = Math.Min(SqliteWriteStatements.RowsPerStatement, rows.Count - start);
            var command = statementFor(count);
            var columns = command.Parameters.Count / count; // a shared trailing parameter rounds away
            for (var i = 0; i < count; i++)
            {
                bind(command.Parameters, i * columns, rows[start + i], firstIndex + start + i);
            }

            command.ExecuteNonQuery();
        }
    }
}
