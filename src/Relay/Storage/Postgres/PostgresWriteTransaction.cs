using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Npgsql;

namespace CrdtSync.Relay.Storage.Postgres;

/// <summary>
/// One write transaction of <see cref="PostgresRelayStore"/> (READ COMMITTED). Reads go to the database (or to what
/// this transaction already read or wrote); writes are buffered: the records ride along with the state row lock
/// (<see cref="AppendLogAsync"/>), everything else is sent in one round trip by <see cref="FlushAsync"/> just before
/// the commit.
/// </summary>
/// <remarks>
/// Locks, always taken in this order, so writers never wait on each other in a cycle:
/// <list type="number">
/// <item>Record locks: <c>pg_advisory_xact_lock</c> per record (<see cref="PostgresRecordLock"/>), all records of
/// the batch at once in ascending key order (<see cref="PrepareAsync"/>), before their rows are read. A guarded check
/// therefore reads the record as the last committed decision on it left it, whichever instance made that decision.</item>
/// <item>The state row lock: <c>SELECT ... FROM relay_state FOR UPDATE</c>, taken by the log append (once the whole
/// push is decided) or by a clock load (an action's effect), held to the commit. It serializes log sequence assignment with the commit: sequences commit in order, so a
/// reader's snapshot holds a prefix of the log and a cursor never skips a change committed late with a lower number.
/// It also guards the relay's clock and origin sequence shared by all instances.</item>
/// </list>
/// A record read outside <see cref="PrepareAsync"/> is locked when first read; a rare cycle that could make is
/// broken by PostgreSQL's deadlock detector and the store runs the work again.
/// </remarks>
internal sealed class PostgresWriteTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, PostgresStoreFaults faults = PostgresStoreFaults.None) : IRelayWriteTransaction
{
    /// <summary>The sequence the <see cref="PostgresStoreFaults.NumberLogFromPlainSequence"/> canary numbers from (blocks of 4,096).</summary>
    internal const string CanaryLogSequence = "crdtsync_canary_log_sequence";

    private readonly HashSet<(string, string)> _locked = [];
    private readonly Dictionary<(string, string), StoredRecord> _records = [];
    private readonly Dictionary<(string, string), StoredRecord> _dirtyRecords = [];
    private readonly Dictionary<ChangeId, StoredOutcome?> _outcomes = [];
    private readonly List<StoredOutcome> _newOutcomes = [];
    private readonly List<(long Sequence, string Collection, string RecordId, byte[] Change)> _newLog = [];
    private bool _stateLocked;
    private long _head;
    private long _floor;
    private RelayClockState _lockedClock;
    private RelayClockState? _savedClock;
    private long _appendedHead;
    private bool _accessChanged;

    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>Makes the commit notify every instance that devices or roles changed.</summary>
    public void MarkAccessChanged() => _accessChanged = true;

    public NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    public async ValueTask PrepareAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var toLock = changes
            .Select(c => (c.Collection, c.RecordId))
            .Where(k => !_locked.Contains((k.Collection.Text, k.RecordId.Text)))
            .Distinct()
            .ToList();
        var unknownIds = changes.Select(c => c.Id).Where(id => !_outcomes.ContainsKey(id)).Distinct().ToList();
        if (toLock.Count == 0 && unknownIds.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(Connection, Transaction);
        if (toLock.Count > 0)
        {
            var keys = toLock.Select(k => PostgresRecordLock.KeyOf(k.Collection, k.RecordId)).Distinct().Order().ToArray();
            if (!faults.HasFlag(PostgresStoreFaults.SkipRecordLocks))
            {
                // unnest keeps the array's (ascending) order, so every transaction takes its record locks in one global order.
                batch.BatchCommands.Add(BatchCommand("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k", keys));
            }
            batch.BatchCommands.Add(BatchCommand(
                "SELECT r.collection, r.record_id, r.state, r.last_live FROM records r JOIN unnest($1::text[], $2::text[]) AS k(c, i) ON r.collection = k.c AND r.record_id = k.i",
                toLock.Select(k => k.Collection.Text).ToArray(), toLock.Select(k => k.RecordId.Text).ToArray()));
        }

        if (unknownIds.Count > 0)
        {
            batch.BatchCommands.Add(BatchCommand(
                "SELECT o.origin, o.sequence, o.collection, o.record_id, o.kind, o.reason, o.message, o.field, o.log_sequence, o.effect_sequence FROM outcomes o JOIN unnest($1::bytea[], $2::bigint[]) AS k(origin, sequence) ON o.origin = k.origin AND o.sequence = k.sequence",
                unknownIds.Select(id => id.Origin.ToByteArray()).ToArray(), unknownIds.Select(id => id.Sequence).ToArray()));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (toLock.Count > 0)
        {
            if (!faults.HasFlag(PostgresStoreFaults.SkipRecordLocks))
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _records[(reader.GetString(0), reader.GetString(1))] = ReadRecord(reader, 2);
            }

            foreach (var (collection, id) in toLock)
            {
                _locked.Add((collection.Text, id.Text));
                _records.TryAdd((collection.Text, id.Text), Empty(collection, id));
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        if (unknownIds.Count > 0)
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var outcome = ReadOutcome(reader);
                _outcomes[outcome.Id] = outcome;
            }

            foreach (var id in unknownIds)
            {
                _outcomes.TryAdd(id, null);
            }
        }
    }

    public async ValueTask<StoredOutcome?> FindOutcomeAsync(ChangeId id, CancellationToken cancellationToken)
    {
        if (_outcomes.TryGetValue(id, out var known))
        {
            return known;
        }

        await using var command = Command(
            "SELECT origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence FROM outcomes WHERE origin = $1 AND sequence = $2",
            id.Origin.ToByteArray(), id.Sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var outcome = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadOutcome(reader) : null;
        _outcomes[id] = outcome;
        return outcome;
    }

    public async ValueTask<StoredRecord> LoadRecordAsync(CollectionName collection, RecordId id, CancellationToken cancellationToken)
    {
        var key = (collection.Text, id.Text);
        if (_records.TryGetValue(key, out var cached))
        {
            return cached;
        }

        await using var batch = new NpgsqlBatch(Connection, Transaction);
        var locking = !faults.HasFlag(PostgresStoreFaults.SkipRecordLocks);
        if (locking)
        {
            batch.BatchCommands.Add(BatchCommand("SELECT pg_advisory_xact_lock($1)", PostgresRecordLock.KeyOf(collection, id)));
        }

        batch.BatchCommands.Add(BatchCommand("SELECT state, last_live FROM records WHERE collection = $1 AND record_id = $2", collection.Text, id.Text));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (locking)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        var record = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecord(reader, 0) : Empty(collection, id);
        _locked.Add(key);
        _records[key] = record;
        return record;
    }

    public async ValueTask<long> AppendLogAsync(IReadOnlyList<LogAppend> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        long first;
        if (faults.HasFlag(PostgresStoreFaults.NumberLogFromPlainSequence))
        {
            await using var batch = new NpgsqlBatch(Connection, Transaction);
            AddRecordWrites(batch);
            batch.BatchCommands.Add(BatchCommand($"SELECT nextval('{CanaryLogSequence}')"));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await SkipToRowsAsync(reader, cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            first = reader.GetInt64(0);
        }
        else
        {
            await LockStateAsync(cancellationToken).ConfigureAwait(false);
            first = _head + 1;
            _head += entries.Count;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            _newLog.Add((first + i, entries[i].Collection.Text, entries[i].RecordId.Text, entries[i].Change));
        }

        _appendedHead = Math.Max(_appendedHead, first + entries.Count - 1);
        return first;
    }

    public async ValueTask<byte[]?> ReadLogEntryAsync(long sequence, CancellationToken cancellationToken)
    {
        foreach (var entry in _newLog)
        {
            if (entry.Sequence == sequence)
            {
                return entry.Change;
            }
        }

        await using var command = Command("SELECT change FROM log WHERE sequence = $1", sequence);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    public ValueTask SaveRecordsAsync(IReadOnlyCollection<StoredRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            var key = (record.State.Collection.Text, record.State.Id.Text);
            _records[key] = record;
            _dirtyRecords[key] = record;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SaveOutcomesAsync(IReadOnlyList<StoredOutcome> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            _outcomes[outcome.Id] = outcome;
            _newOutcomes.Add(outcome);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<RelayClockState> LoadClockAsync(CancellationToken cancellationToken)
    {
        if (faults.HasFlag(PostgresStoreFaults.NumberLogFromPlainSequence) && !_stateLocked)
        {
            // The canary takes no state row lock: it reads the clock as last committed.
            await using var command = Command("SELECT clock_last_time, origin_sequence FROM relay_state WHERE id = 1");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return _savedClock ?? new RelayClockState(unchecked((ulong)reader.GetInt64(0)), reader.GetInt64(1));
        }

        await LockStateAsync(cancellationToken).ConfigureAwait(false);
        return _savedClock ?? _lockedClock;
    }

    public ValueTask SaveClockAsync(RelayClockState clock, CancellationToken cancellationToken)
    {
        // Written by the flush with GREATEST, so a value never goes down whoever saves it.
        _savedClock = _savedClock is { } saved
            ? new RelayClockState(Math.Max(saved.LastTime, clock.LastTime), Math.Max(saved.OriginSequence, clock.OriginSequence))
            : clock;
        return ValueTask.CompletedTask;
    }

    /// <summary>The log head and floor under the state row lock (taken here when not yet held).</summary>
    public async ValueTask<(long Head, long Floor)> LockHeadAndFloorAsync(CancellationToken cancellationToken)
    {
        var floor = await LockStateAsync(cancellationToken).ConfigureAwait(false);
        return (_head, floor);
    }

    /// <summary>Sends every buffered write (log, records, outcomes, relay state, notifications) in one round trip.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(Connection, Transaction);
        if (_newLog.Count > 0)
        {
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO log (sequence, collection, record_id, change) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[])",
                _newLog.Select(e => e.Sequence).ToArray(), _newLog.Select(e => e.Collection).ToArray(),
                _newLog.Select(e => e.RecordId).ToArray(), _newLog.Select(e => e.Change).ToArray()));
        }

        AddRecordWrites(batch);
        if (_newOutcomes.Count > 0)
        {
            batch.BatchCommands.Add(BatchCommand(
                """
                INSERT INTO outcomes (origin, sequence, collection, record_id, kind, reason, message, field, log_sequence, effect_sequence)
                SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])
                """,
                _newOutcomes.Select(o => o.Id.Origin.ToByteArray()).ToArray(), _newOutcomes.Select(o => o.Id.Sequence).ToArray(),
                _newOutcomes.Select(o => o.Collection.Text).ToArray(), _newOutcomes.Select(o => o.RecordId.Text).ToArray(),
                _newOutcomes.Select(o => (int)o.Kind).ToArray(), _newOutcomes.Select(o => o.Reason).ToArray(),
                _newOutcomes.Select(o => o.Message).ToArray(), _newOutcomes.Select(o => o.Field).ToArray(),
                _newOutcomes.Select(o => o.LogSequence).ToArray(), _newOutcomes.Select(o => o.EffectSequence).ToArray()));
        }

        if ((_stateLocked || _savedClock is not null) && !faults.HasFlag(PostgresStoreFaults.NumberLogFromPlainSequence))
        {
            // Under the state row lock (held since the append or clock load; an UPDATE alone takes it here).
            var clock = _savedClock ?? _lockedClock;
            batch.BatchCommands.Add(BatchCommand(
                "UPDATE relay_state SET log_head = GREATEST(log_head, $1), clock_last_time = GREATEST(clock_last_time, $2), origin_sequence = GREATEST(origin_sequence, $3) WHERE id = 1",
                _head, unchecked((long)clock.LastTime), clock.OriginSequence));
        }

        if (_newLog.Count > 0)
        {
            // Delivered to every listening instance when (and only if) this transaction commits.
            batch.BatchCommands.Add(BatchCommand($"SELECT pg_notify('{PostgresChannels.Log}', $1)", _appendedHead.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (_accessChanged)
        {
            batch.BatchCommands.Add(BatchCommand($"SELECT pg_notify('{PostgresChannels.Access}', '')"));
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static StoredRecord ReadRecord(NpgsqlDataReader reader, int ordinal)
    {
        var state = RecordStateCodec.Decode((byte[])reader[ordinal]);
        RecordState? lastLive = reader.IsDBNull(ordinal + 1) ? null : RecordStateCodec.Decode((byte[])reader[ordinal + 1]);
        return new StoredRecord(state, lastLive);
    }

    internal static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private static StoredRecord Empty(CollectionName collection, RecordId id) => new(new RecordState(collection, id), null);

    private static StoredOutcome ReadOutcome(NpgsqlDataReader reader) => new(
        new ChangeId(ReplicaId.FromBytes((byte[])reader[0]), reader.GetInt64(1)),
        new CollectionName(reader.GetString(2)), new RecordId(reader.GetString(3)), (OutcomeKind)reader.GetInt32(4),
        reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt64(8), reader.GetInt64(9));

    /// <summary>Moves past the results of statements that return no rows (a leading upsert) to the first that does.</summary>
    private static async ValueTask SkipToRowsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        while (reader.FieldCount == 0)
        {
            if (!await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("A PostgreSQL batch returned no rows where it should have.");
            }
        }
    }

    /// <summary>Adds the upsert of the records saved since the last send (if any) to <paramref name="batch"/>.</summary>
    private void AddRecordWrites(NpgsqlBatch batch)
    {
        if (_dirtyRecords.Count == 0)
        {
            return;
        }

        var records = _dirtyRecords.Values.ToArray();
        _dirtyRecords.Clear();
        batch.BatchCommands.Add(BatchCommand(
            """
            INSERT INTO records (collection, record_id, state, last_live) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[])
            ON CONFLICT (collection, record_id) DO UPDATE SET state = excluded.state, last_live = excluded.last_live
            """,
            records.Select(r => r.State.Collection.Text).ToArray(), records.Select(r => r.State.Id.Text).ToArray(),
            records.Select(r => RecordStateCodec.Encode(r.State)).ToArray(),
            records.Select(r => r.LastLive is null ? null : RecordStateCodec.Encode(r.LastLive)).ToArray()));
    }

    /// <summary>
    /// Takes the state row lock (once) and reads the head, floor, clock and origin sequence under it. Records saved so
    /// far (covered by their own advisory locks) are written in the same round trip, before the lock, so the time
    /// the lock is held holds no record encoding or writing of them.
    /// </summary>
    private async ValueTask<long> LockStateAsync(CancellationToken cancellationToken)
    {
        if (_stateLocked)
        {
            return _floor;
        }

        await using var batch = new NpgsqlBatch(Connection, Transaction);
        AddRecordWrites(batch);
        batch.BatchCommands.Add(BatchCommand("SELECT log_head, log_floor, clock_last_time, origin_sequence FROM relay_state WHERE id = 1 FOR UPDATE"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await SkipToRowsAsync(reader, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The relay's PostgreSQL database is not initialized.");
        }

        _head = reader.GetInt64(0);
        _floor = reader.GetInt64(1);
        _lockedClock = new RelayClockState(unchecked((ulong)reader.GetInt64(2)), reader.GetInt64(3));
        _stateLocked = true;
        return _floor;
    }
}
