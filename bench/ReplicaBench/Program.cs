using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CrdtSync.Bench.Workloads;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Replica;
using CrdtSync.Replica.Api;
using CrdtSync.Replica.Sync;

namespace CrdtSync.ReplicaBench;

/// <summary>
/// Replica figures (docs/benchmarks.md, "Replica"), each next to a raw SQLite baseline measured in the same run:
/// a committed local edit, pulled batches, push outcomes, opening a large replica, and RS-1 / RS-4 of
/// shared/WORKLOADS.md on the <c>replica</c> layer. Prints JSON lines on stdout, progress on stderr.
/// <c>dotnet run -c Release --project bench/ReplicaBench -- [--quick] [--only local,pull,outcomes,open,rs] [--trials n]</c>
/// </summary>
internal static class Program
{
    private static readonly CollectionName Records = new("records");

    private static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        int? trials = null;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--trials")
            {
                trials = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--only")
            {
                only.UnionWith(args[i + 1].Split(','));
            }
        }

        bool Selected(string name) => only.Count == 0 || only.Contains(name);
        var root = Path.Combine(Path.GetTempPath(), "crdtsync-replicabench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            if (Selected("local"))
            {
                await LocalEditAsync(Folder(root), CommitDurability.Full, quick);
                await LocalEditAsync(Folder(root), CommitDurability.Normal, quick);
            }

            if (Selected("pull"))
            {
                await PulledBatchesAsync(Folder(root), quick);
            }

            if (Selected("outcomes"))
            {
                await OutcomesAsync(Folder(root), quick);
            }

            if (Selected("open"))
            {
                await OpenAsync(Folder(root), quick);
            }

            if (Selected("rs"))
            {
                await RecordStoreWorkloadsAsync(root, quick, trials);
            }

            return 0;
        }
        catch (BenchCheckException exception)
        {
            Console.Error.WriteLine("CHECK FAILED: " + exception.Message);
            return 2;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Folder(string root)
    {
        var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static FieldValue[] RecordFields(Value[] store, int index, int count = 8)
    {
        var fields = new FieldValue[count];
        for (var f = 0; f < count; f++)
        {
            fields[f] = new FieldValue(RecordStoreData.Fields[f], store[(index * 8) + f]);
        }

        return fields;
    }

    private static Dictionary<string, Value> AsDictionary(IEnumerable<FieldValue> fields) => fields.ToDictionary(f => f.Name.Text, f => f.Value);

    private static async Task<List<RecordState>> ReadAllAsync(ReplicaStore replica) =>
        [.. (await replica.QueryAsync(new RecordQuery(Records))).Records.Select(r => r.State)];

    // ---------------------------------------------------------------- local edit

    /// <summary>
    /// One committed <c>UpdateAsync</c> of one field on an existing record (1,000 records) vs a raw single-row upsert
    /// transaction with the same synchronous, alternating rounds of each; also <c>CreateAsync</c> and <c>PerformActionAsync</c>.
    /// </summary>
    private static async Task LocalEditAsync(string folder, CommitDurability durability, bool quick)
    {
        const int recordCount = 1_000;
        var warmup = quick ? 1_000 : 5_000;
        var rounds = quick ? 3 : 7;
        var perRound = quick ? 300 : 1_000;
        var store = RecordStoreData.InitialStore(recordCount);
        using var replica = await BenchConfiguration.OpenAsync(Path.Combine(folder, "replica.db"), durability, 1);
        for (var i = 0; i < recordCount; i++)
        {
            await replica.CreateAsync("records", AsDictionary(RecordFields(store, i)), RecordStoreData.KeyText(i));
        }

        var blobs = (await ReadAllAsync(replica)).Select(RecordStateCodec.Encode).ToArray();
        using var raw = new RawStore(Path.Combine(folder, "raw.db"), durability);
        raw.UpsertBatch([.. Enumerable.Range(0, recordCount).Select(RecordStoreData.KeyText)], blobs);
        var random = new Mulberry32(7);
        var counter = 0L;
        async Task ReplicaEdit() =>
            await replica.UpdateAsync("records", RecordStoreData.KeyText(random.Int(recordCount)), new Dictionary<string, Value> { ["score"] = Value.Int64(++counter) });
        void RawEdit()
        {
            // The bytes must differ from the stored ones: SQLite skips writing a row whose content is unchanged (no page,
            // no WAL frame, no fsync), which is how an earlier baseline measured 0.01 ms for a "durable" commit.
            var k = random.Int(recordCount);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(blobs[k].AsSpan(blobs[k].Length - 4), (int)++counter);
            raw.UpsertOne(RecordStoreData.KeyText(k), blobs[k]);
        }

        for (var i = 0; i < warmup; i++)
        {
            await ReplicaEdit();
            RawEdit();
        }

        List<double> replicaUs = [], rawUs = [], replicaRates = [], rawRates = [], replicaCpuUs = [], rawCpuUs = [];
        for (var round = 0; round < rounds; round++)
        {
            for (var side = 0; side < 2; side++)
            {
                var rawSide = (side + round) % 2 == 0;
                Stats.Collect();
                var roundStart = Stopwatch.GetTimestamp();
                for (var i = 0; i < perRound; i++)
                {
                    var cpu = Stats.ThreadCpuUs();
                    var start = Stopwatch.GetTimestamp();
                    if (rawSide)
                    {
                        RawEdit();
                        rawUs.Add(Stats.Us(start));
                        rawCpuUs.Add(Stats.ThreadCpuUs() - cpu);
                    }
                    else
                    {
                        await ReplicaEdit();
                        replicaUs.Add(Stats.Us(start));
                        replicaCpuUs.Add(Stats.ThreadCpuUs() - cpu);
                    }
                }

                (rawSide ? rawRates : replicaRates).Add(perRound / Stats.Ms(roundStart) * 1000);
            }
        }

        // Creates and actions, measured after, against the same raw figure.
        List<double> createUs = [], actionUs = [];
        for (var i = 0; i < perRound; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await replica.CreateAsync("records", AsDictionary(RecordFields(store, i)), "n" + i.ToString("D6", CultureInfo.InvariantCulture));
            createUs.Add(Stats.Us(start));
            start = Stopwatch.GetTimestamp();
            await replica.PerformActionAsync("records", RecordStoreData.KeyText(i % recordCount), "touch");
            actionUs.Add(Stats.Us(start));
        }

        // Pages written per committed edit (WAL frames), untimed.
        const int pageCountOps = 100;
        var replicaFrames = await WalFrames.CountAsync(Path.Combine(folder, "replica.db"), async () =>
        {
            for (var i = 0; i < pageCountOps; i++)
            {
                await ReplicaEdit();
            }
        });
        var rawFrames = await WalFrames.CountAsync(Path.Combine(folder, "raw.db"), () =>
        {
            for (var i = 0; i < pageCountOps; i++)
            {
                RawEdit();
            }

            return Task.CompletedTask;
        });

        var rawP50 = Stats.Median(rawUs);
        Emit("local_edit", new
        {
            durability = durability.ToString(),
            raw_synchronous = raw.Synchronous,
            raw_journal_mode = raw.JournalMode,
            warmup,
            rounds,
            ops_per_round = perRound,
            update_p50_us = Math.Round(Stats.Median(replicaUs), 1),
            update_p99_us = Math.Round(Stats.Percentile(replicaUs, 99), 1),
            raw_upsert_p50_us = Math.Round(rawP50, 1),
            raw_upsert_p99_us = Math.Round(Stats.Percentile(rawUs, 99), 1),
            ratio_p50 = Math.Round(Stats.Median(replicaUs) / rawP50, 2),
            update_per_s = Math.Round(Stats.Median(replicaRates)),
            raw_upsert_per_s = Math.Round(Stats.Median(rawRates)),
            ratio_throughput = Math.Round(Stats.Median(rawRates) / Stats.Median(replicaRates), 2),
            update_cpu_p50_us = Math.Round(Stats.Median(replicaCpuUs), 1),
            raw_upsert_cpu_p50_us = Math.Round(Stats.Median(rawCpuUs), 1),
            ratio_cpu_p50 = Math.Round(Stats.Median(replicaCpuUs) / Stats.Median(rawCpuUs), 2),
            update_pages_written = Math.Round((double)replicaFrames / pageCountOps, 2),
            raw_upsert_pages_written = Math.Round((double)rawFrames / pageCountOps, 2),
            create_p50_us = Math.Round(Stats.Median(createUs), 1),
            create_ratio_p50 = Math.Round(Stats.Median(createUs) / rawP50, 2),
            action_p50_us = Math.Round(Stats.Median(actionUs), 1),
            action_ratio_p50 = Math.Round(Stats.Median(actionUs) / rawP50, 2),
            target_ratio = 1.3,
            load_average_1m = Stats.LoadAverage(),
        });
    }

    // ---------------------------------------------------------------- pulled batches

    /// <summary>A change from a foreign origin (peer 2) setting the first <paramref name="fieldCount"/> fields of a record.</summary>
    private sealed class ForeignOrigin
    {
        private readonly ReplicaId _origin = ReplicaId.FromPeerNumber(2);
        private long _sequence;
        private long _milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

        public Change Upsert(RecordId id, FieldValue[] fields)
        {
            _sequence++;
            _milliseconds++;
            return Change.Upsert(new ChangeId(_origin, _sequence), new Stamp(_milliseconds, 0, _origin), Records, id, VersionVector.Empty, fields);
        }
    }

    /// <summary>
    /// <c>ApplyPulledBatchAsync</c> with batches of 1,000 changes of 5 fields (a) all new records, (b) updates of synced
    /// records, (c) updates where 10% of the records have pending entries, vs raw batched upserts of the same rows (the
    /// same encoded sizes, one transaction per batch, same durability), alternating batch by batch.
    /// </summary>
    private static async Task PulledBatchesAsync(string folder, bool quick)
    {
        const int batchSize = 1_000;
        const int fieldsPerChange = 5;
        var batches = quick ? 4 : 10;
        var recordCount = batches * batchSize;
        var durability = CommitDurability.Full;
        var store = RecordStoreData.InitialStore(recordCount);
        var origin = new ForeignOrigin();
        var random = new Mulberry32(11);
        using var replica = await BenchConfiguration.OpenAsync(Path.Combine(folder, "replica.db"), durability, 1);
        using var raw = new RawStore(Path.Combine(folder, "raw.db"), durability);
        var models = new RecordState?[recordCount];

        // Warm-up on other records (JIT), not counted.
        var warmOrigin = new ForeignOrigin();
        var warmupBatches = quick ? 10 : 30;
        for (var w = 0; w < warmupBatches; w++)
        {
            var warm = Enumerable.Range(0, batchSize).Select(i => (ReadOnlyMemory<byte>)ChangeCodec.Encode(
                warmOrigin.Upsert(new RecordId("w" + ((w * batchSize) + i).ToString("D6", CultureInfo.InvariantCulture)), RecordFields(store, i % recordCount, fieldsPerChange)))).ToList();
            await replica.ApplyPulledBatchAsync(new PulledBatch(Records, warm, 0, false));
            raw.UpsertBatch([.. Enumerable.Range(0, batchSize).Select(i => "w" + ((w * batchSize) + i).ToString(CultureInfo.InvariantCulture))], [.. warm.Select(b => b.ToArray())]);
        }

        (List<ReadOnlyMemory<byte>> Changes, List<string> Ids, List<byte[]> Blobs) MakeBatch(IEnumerable<int> records, Func<int, FieldValue[]> fields)
        {
            var changes = new List<ReadOnlyMemory<byte>>(batchSize);
            var ids = new List<string>(batchSize);
            var blobs = new List<byte[]>(batchSize);
            foreach (var r in records)
            {
                var id = new RecordId(RecordStoreData.KeyText(r));
                var change = origin.Upsert(id, fields(r));
                changes.Add(ChangeCodec.Encode(change));
                var model = models[r] ??= new RecordState(Records, id);
                model.Apply(change);
                ids.Add(id.Text);
                blobs.Add(RecordStateCodec.Encode(model));
            }

            return (changes, ids, blobs);
        }

        var cursor = 0L;
        async Task Case(string name, Func<int, IEnumerable<int>> recordsOfBatch, Func<int, FieldValue[]> fields)
        {
            List<double> replicaRates = [], rawRates = [], ratios = [], cpuRatios = [];
            for (var b = 0; b < batches; b++)
            {
                var (changes, ids, blobs) = MakeBatch(recordsOfBatch(b), fields);
                Stats.Collect();
                double replicaMs = 0, rawMs = 0, replicaCpuUs = 0, rawCpuUs = 0;
                for (var side = 0; side < 2; side++)
                {
                    var cpu = Stats.ThreadCpuUs();
                    var start = Stopwatch.GetTimestamp();
                    if ((side + b) % 2 == 0)
                    {
                        raw.UpsertBatch(ids, blobs);
                        rawMs = Stats.Ms(start);
                        rawCpuUs = Stats.ThreadCpuUs() - cpu;
                    }
                    else
                    {
                        await replica.ApplyPulledBatchAsync(new PulledBatch(Records, changes, cursor += batchSize, false));
                        replicaMs = Stats.Ms(start);
                        replicaCpuUs = Stats.ThreadCpuUs() - cpu;
                    }
                }

                cpuRatios.Add(replicaCpuUs / rawCpuUs);

                replicaRates.Add(batchSize * fieldsPerChange / replicaMs * 1000);
                rawRates.Add(batchSize * fieldsPerChange / rawMs * 1000);
                ratios.Add(replicaMs / rawMs);
            }

            Emit("pulled_batch", new
            {
                @case = name,
                durability = durability.ToString(),
                batches,
                changes_per_batch = batchSize,
                fields_per_change = fieldsPerChange,
                field_changes_per_s = Math.Round(Stats.Median(replicaRates)),
                raw_field_changes_per_s = Math.Round(Stats.Median(rawRates)),
                ratio_time_vs_raw = Math.Round(Stats.Median(ratios), 2),
                ratio_cpu_vs_raw = Math.Round(Stats.Median(cpuRatios), 2),
                warmup_batches = warmupBatches,
                target_field_changes_per_s = 200_000,
                target_ratio = 2.0,
                load_average_1m = Stats.LoadAverage(),
            });
        }

        // (a) all new records.
        await Case("new_records", b => Enumerable.Range(b * batchSize, batchSize), r => RecordFields(store, r, fieldsPerChange));

        // (b) updates of existing synced records: a random permutation per batch (distinct records in a batch).
        FieldValue[] Updated(int r) => [.. RecordFields(store, r, fieldsPerChange).Select(f => new FieldValue(f.Name, f.Value.Kind == ValueKind.Int64 ? Value.Int64(f.Value.AsInt64 + random.Int(1000) + 1) : Value.String(random.Str(20))))];
        IEnumerable<int> RandomRecords(int b)
        {
            var picked = new HashSet<int>();
            while (picked.Count < batchSize)
            {
                picked.Add(random.Int(recordCount));
            }

            return picked;
        }

        await Case("updates_synced", RandomRecords, Updated);

        // (c) the same with 10% of the records holding a pending local edit (made untimed, before).
        for (var r = 0; r < recordCount; r += 10)
        {
            await replica.UpdateAsync("records", RecordStoreData.KeyText(r), new Dictionary<string, Value> { ["admin"] = Value.Bool(true) });
        }

        await Case("updates_10pct_pending", RandomRecords, Updated);
        var status = await replica.GetOutboxCountsAsync();
        if (status.Pending != recordCount / 10)
        {
            throw new BenchCheckException($"pulled batches: {status.Pending} pending entries, expected {recordCount / 10}");
        }

        // Check: every record's visible state carries the pulled fields (and the local edit where there is one).
        foreach (var state in await ReadAllAsync(replica))
        {
            if (state.Id.Text.StartsWith('w'))
            {
                continue;
            }

            var index = int.Parse(state.Id.Text.AsSpan(1), CultureInfo.InvariantCulture);
            var model = models[index]!;
            for (var f = 0; f < fieldsPerChange; f++)
            {
                if (state[RecordStoreData.Fields[f]] != model[RecordStoreData.Fields[f]])
                {
                    throw new BenchCheckException($"pulled batches: {state.Id}.{RecordStoreData.Fields[f]} differs from the model");
                }
            }

            if ((index % 10 == 0) != (state[RecordStoreData.Fields[7]] == Value.Bool(true)))
            {
                throw new BenchCheckException($"pulled batches: {state.Id} lost or gained the pending local edit");
            }
        }
    }

    // ---------------------------------------------------------------- outcomes

    /// <summary><c>RecordOutcomesAsync</c> of 1,000 accepted outcomes at a time, on a backlog of 100 entries per record.</summary>
    private static async Task OutcomesAsync(string folder, bool quick)
    {
        var recordCount = quick ? 20 : 100;
        const int perRecord = 100;
        const int batchSize = 1_000;
        var store = RecordStoreData.InitialStore(recordCount);
        using var replica = await BenchConfiguration.OpenAsync(Path.Combine(folder, "replica.db"), CommitDurability.Full, 1);
        for (var i = 0; i < recordCount; i++)
        {
            await replica.CreateAsync("records", AsDictionary(RecordFields(store, i)), RecordStoreData.KeyText(i));
        }

        for (var k = 1; k < perRecord; k++)
        {
            for (var i = 0; i < recordCount; i++)
            {
                await replica.UpdateAsync("records", RecordStoreData.KeyText(i), new Dictionary<string, Value> { ["visits"] = Value.Int64(k) });
            }
        }

        List<double> rates = [];
        var total = 0;
        while (true)
        {
            var batch = await replica.TakePushBatchAsync(batchSize);
            if (batch.Count == 0)
            {
                break;
            }

            var outcomes = batch.Select(p => new PushOutcome(p.ChangeId, OutcomeKind.Accepted, "accepted", "Accepted.", LogSequence: p.ChangeId.Sequence)).ToList();
            Stats.Collect();
            var start = Stopwatch.GetTimestamp();
            await replica.RecordOutcomesAsync(outcomes);
            rates.Add(batch.Count / Stats.Ms(start) * 1000);
            total += batch.Count;
        }

        var counts = await replica.GetOutboxCountsAsync();
        var states = await ReadAllAsync(replica);
        if (counts.Pending != 0 || total != recordCount * perRecord || states.Any(s => s[RecordStoreData.Fields[5]] != Value.Int64(perRecord - 1)))
        {
            throw new BenchCheckException("outcomes: entries left or wrong visible state");
        }

        Emit("outcomes", new
        {
            records = recordCount,
            entries_per_record = perRecord,
            outcomes_per_batch = batchSize,
            batches = rates.Count,
            outcomes_per_s = Math.Round(Stats.Median(rates)),
            outcomes_per_s_min = Math.Round(rates.Min()),
            load_average_1m = Stats.LoadAverage(),
        });
    }

    // ---------------------------------------------------------------- open

    /// <summary>Open a replica of 100,000 records and 1,000 outbox entries and read one record (median of 7 opens).</summary>
    private static async Task OpenAsync(string folder, bool quick)
    {
        var recordCount = quick ? 20_000 : 100_000;
        const int entries = 1_000;
        var path = Path.Combine(folder, "replica.db");
        var store = RecordStoreData.InitialStore(1_000);
        using (var replica = await BenchConfiguration.OpenAsync(path, CommitDurability.Full, 1))
        {
            var origin = new ForeignOrigin();
            for (var b = 0; b < recordCount / 1_000; b++)
            {
                var changes = Enumerable.Range(b * 1_000, 1_000).Select(r => (ReadOnlyMemory<byte>)ChangeCodec.Encode(
                    origin.Upsert(new RecordId("r" + r.ToString("D6", CultureInfo.InvariantCulture)), RecordFields(store, r % 1_000)))).ToList();
                await replica.ApplyPulledBatchAsync(new PulledBatch(Records, changes, (b + 1) * 1_000L, true));
            }

            for (var i = 0; i < entries; i++)
            {
                await replica.UpdateAsync("records", "r" + (i * 97 % recordCount).ToString("D6", CultureInfo.InvariantCulture), new Dictionary<string, Value> { ["score"] = Value.Int64(i) });
            }
        }

        List<double> openMs = [], readMs = [];
        for (var i = 0; i < 8; i++)
        {
            Stats.Collect();
            var start = Stopwatch.GetTimestamp();
            using var replica = ReplicaStore.Open(new ReplicaOptions { DatabasePath = path, ReplicaId = ReplicaId.FromPeerNumber(1) });
            var opened = Stats.Ms(start);
            var record = await replica.GetAsync("records", "r" + (recordCount / 2).ToString("D6", CultureInfo.InvariantCulture));
            var total = Stats.Ms(start);
            if (record is null)
            {
                throw new BenchCheckException("open: the record is missing");
            }

            if (i > 0)
            {
                openMs.Add(opened);
                readMs.Add(total);
            }
            else
            {
                Emit("open_first", new { records = recordCount, open_plus_read_ms = Math.Round(total, 2) });
            }
        }

        Emit("open", new
        {
            records = recordCount,
            outbox_entries = entries,
            file_mb = Math.Round((new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0)) / 1e6, 1),
            opens = openMs.Count,
            open_ms = Math.Round(Stats.Median(openMs), 2),
            open_plus_read_one_ms = Math.Round(Stats.Median(readMs), 2),
            open_plus_read_one_ms_max = Math.Round(readMs.Max(), 2),
            target_ms = 100,
            load_average_1m = Stats.LoadAverage(),
        });
    }

    // ---------------------------------------------------------------- RS-1 and RS-4

    private static readonly (string Initial, string After43) FullDigests =
        ("872415b1ad616999e0c7fc3a35b3088a6a094cf3fcdf0c75a6be74e922752545", "25f1cd617f857889d3e18e784deb530e24776742f641bb355d601c05d8eea623");

    private static readonly (string Initial, string After43) QuickDigests =
        ("a8c65e00bb2f8c2e414a1433316ba5a424a0bbf1ad2a8828fe3911a34f6d9a66", "9467da5bf10dd51173656af5c32d4a52a230a62528bb9e318d5dab732bd34595");

    /// <summary>
    /// RS-1 and RS-4 of WORKLOADS.md on the replica layer: shipped durability (FULL); a transaction is one committed local
    /// edit; the snapshot is the replica's own records as record states (what the relay's Snapshot pages carry), loaded
    /// into a fresh replica (peer 3) with one <c>ApplySnapshotAsync</c>.
    /// </summary>
    private static async Task RecordStoreWorkloadsAsync(string root, bool quick, int? trialsWanted)
    {
        var (sizeName, recordCount, updates, trials, digests) = quick ? ("QUICK", 1_000, 5_000, 3, QuickDigests) : ("FULL", 10_000, 100_000, 5, FullDigests);
        trials = trialsWanted ?? trials;
        var store = RecordStoreData.InitialStore(recordCount);
        var stream = RecordStoreData.Stream(store, recordCount, 43, updates);
        Check(CanonicalJson.DigestOfModel(stream.FinalModel, recordCount) == digests.After43, "model after stream 43");
        var keys = Enumerable.Range(0, recordCount).Select(RecordStoreData.KeyText).ToArray();
        var fieldTexts = RecordStoreData.FieldTexts;
        var creates = Enumerable.Range(0, recordCount).Select(i => AsDictionary(RecordFields(store, i))).ToArray();
        var rs1 = new Figures("RS-1", sizeName, trials);
        var rs4 = new Figures("RS-4", sizeName, trials);
        for (var trial = 0; trial < trials; trial++)
        {
            var folder = Folder(root);
            using (var a = await BenchConfiguration.OpenAsync(Path.Combine(folder, "a.db"), CommitDurability.Full, 1))
            {
                Stats.Collect();
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < recordCount; i++)
                {
                    await a.CreateAsync("records", creates[i], keys[i]);
                }

                rs1.Add("create_ms", Stats.Ms(start));
                Check(CanonicalJson.DigestOfStates(await ReadAllAsync(a)) == digests.Initial, "RS-1 A after create");
                Stats.Collect();
                start = Stopwatch.GetTimestamp();
                for (var k = 0; k < updates; k++)
                {
                    await a.UpdateAsync("records", keys[stream.Records[k]], new Dictionary<string, Value>(1) { [fieldTexts[stream.Fields[k]]] = stream.Values[k] });
                }

                var updateMs = Stats.Ms(start);
                rs1.Add("update_ms", updateMs);
                rs1.Add("updates_per_s", updates / updateMs * 1000);
                Check(CanonicalJson.DigestOfStates(await ReadAllAsync(a)) == digests.After43, "RS-1 A after stream 43");

                // RS-4 save: read the records and encode them as the relay's snapshot pages carry them.
                Stats.Collect();
                start = Stopwatch.GetTimestamp();
                var snapshot = (await ReadAllAsync(a)).Select(s => (ReadOnlyMemory<byte>)RecordStateCodec.Encode(s)).ToList();
                rs4.Add("save_ms", Stats.Ms(start));
                rs4.Add("snapshot_bytes", snapshot.Sum(s => s.Length));
                rs1.Add("file_bytes_after_updates", new FileInfo(Path.Combine(folder, "a.db")).Length + new FileInfo(Path.Combine(folder, "a.db-wal")).Length);

                // RS-4 load: a fresh replica (peer 3) from the snapshot, then read everything into plain values.
                Stats.Collect();
                start = Stopwatch.GetTimestamp();
                using var c = await BenchConfiguration.OpenAsync(Path.Combine(folder, "c.db"), CommitDurability.Full, 3);
                await c.ApplySnapshotAsync(new SnapshotBatch([Records], snapshot, updates));
                var loadMs = Stats.Ms(start);
                start = Stopwatch.GetTimestamp();
                var plain = ToPlain(await ReadAllAsync(c));
                var readMs = Stats.Ms(start);
                rs4.Add("load_ms", loadMs);
                rs4.Add("first_read_ms", readMs);
                rs4.Add("load_plus_read_ms", loadMs + readMs);
                Check(CanonicalJson.DigestOfPlain(plain) == digests.After43, "RS-4 state read from the loaded replica");
            }

            var load = Stats.LoadAverage();
            rs1.Add("load_average_1m", load);
            rs4.Add("load_average_1m", load);
            Console.Error.WriteLine($"# RS-1/RS-4 trial {trial + 1}/{trials}: updates {rs1.Median("updates_per_s"):0}/s (median so far)");
            Directory.Delete(folder, recursive: true);
        }

        rs1.Fact("digest_ok", true);
        rs1.Fact("note", "create_ms is R CreateAsync calls, each its own committed transaction (the replica API has no multi-record transaction)");
        rs4.Fact("digest_ok", true);
        Console.WriteLine(rs1.ToJsonLine());
        Console.WriteLine(rs4.ToJsonLine());
    }

    private static Dictionary<string, Dictionary<string, object?>> ToPlain(List<RecordState> states)
    {
        var plain = new Dictionary<string, Dictionary<string, object?>>(states.Count);
        foreach (var state in states)
        {
            var fields = new Dictionary<string, object?>(state.Fields.Count);
            foreach (var (name, entry) in state.Fields)
            {
                var value = entry.Value;
                fields[name.Text] = value.Kind switch
                {
                    ValueKind.Bool => value.AsBool,
                    ValueKind.Int64 => value.AsInt64,
                    ValueKind.String => value.AsString,
                    ValueKind.Null => null,
                    _ => value.ToString(),
                };
            }

            plain[state.Id.Text] = fields;
        }

        return plain;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new BenchCheckException(what + ": digest mismatch");
        }
    }

    private static void Emit(string name, object figures)
    {
        var line = JsonSerializer.Serialize(figures);
        Console.WriteLine($"{{\"bench\":\"{name}\",{line[1..]}");
    }
}
