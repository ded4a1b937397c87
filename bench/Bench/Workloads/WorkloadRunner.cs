using System.Diagnostics;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Values;

namespace CrdtSync.Bench.Workloads;

/// <summary>
/// Runs RS-1, RS-2, RS-3, RS-4 and B3.1 of shared/WORKLOADS.md on the <c>core</c> layer and prints one JSON
/// line per workload. Every digest of section 7 is checked; a mismatch throws <see cref="WorkloadCheckException"/>.
/// </summary>
internal static class WorkloadRunner
{
    /// <summary>2026-01-01T00:00:00Z: where every fake wall clock starts.</summary>
    private const long StartMilliseconds = 1_767_225_600_000;

    private static readonly CollectionName Records = new("records");
    private static readonly CollectionName MapCollection = new("map");
    private static readonly RecordId MapRoot = new("root");
    private static readonly FieldName MapKey = new("v");

    private sealed record Size(
        string Name, int RecordCount, int Updates, int UpdatesPerReplica, int RsTrials, int B3Trials, int ConvergeClients,
        string InitialDigest, string AfterStream43Digest, string Rs3ADigest, string Rs3BDigest, string Rs3MergedDigest, int Contested);

    private static readonly Size Full = new("FULL", 10_000, 100_000, 50_000, 5, 7, 32,
        "872415b1ad616999e0c7fc3a35b3088a6a094cf3fcdf0c75a6be74e922752545",
        "25f1cd617f857889d3e18e784deb530e24776742f641bb355d601c05d8eea623",
        "66e5f6c5b41fd6007a4552c026d18d469505d9080e4c34e0e07e8f9ea9e15eeb",
        "0b9068b12d5694aef0cac7ca1ce3dc9129bb6f2fd09325d32c0240df4e07ce27",
        "5127926c6df8c6e4cc9c23137b9b3c8d07f5f62393b5c8fe7b057a4e3f230a3f",
        17_231);

    private static readonly Size Quick = new("QUICK", 1_000, 5_000, 2_500, 3, 3, 8,
        "a8c65e00bb2f8c2e414a1433316ba5a424a0bbf1ad2a8828fe3911a34f6d9a66",
        "9467da5bf10dd51173656af5c32d4a52a230a62528bb9e318d5dab732bd34595",
        "fb7f282a18b120bf56bf19364bff5e7246e6ad3cd5494287f23716b95efe1e73",
        "03c5e153272142f660062753153168f2fb1f1a4296734e51611f05924eef25c7",
        "d6e7709a34054beb84179347cfc4becf3859f3307dca7a766751abef317acfc7",
        584);

    public static int Run(string[] args)
    {
        var size = args.Contains("--quick") ? Quick : Full;
        int? trials = null;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--trials" && i + 1 < args.Length)
            {
                trials = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--only" && i + 1 < args.Length)
            {
                only.UnionWith(args[++i].Split(','));
            }
        }

        bool Selected(string name) => only.Count == 0 || only.Contains(name);

        try
        {
            CheckTestVectors();
            var rsTrials = trials ?? size.RsTrials;
            var b3Trials = trials ?? size.B3Trials;
            Console.Error.WriteLine($"# workloads {size.Name}: R={size.RecordCount} U={size.Updates} M={size.UpdatesPerReplica}, {rsTrials} RS trials, {b3Trials} B3 trials, server GC={System.Runtime.GCSettings.IsServerGC}");
            if (Selected("B3.1"))
            {
                Console.WriteLine(RunB31(size, b3Trials).ToJsonLine());
            }

            if (Selected("RS-1") || Selected("RS-2") || Selected("RS-4"))
            {
                foreach (var line in RunRs124(size, rsTrials))
                {
                    Console.WriteLine(line.ToJsonLine());
                }
            }

            if (Selected("RS-3"))
            {
                Console.WriteLine(RunRs3(size, rsTrials).ToJsonLine());
            }

            return 0;
        }
        catch (WorkloadCheckException ex)
        {
            Console.Error.WriteLine("CHECK FAILED: " + ex.Message);
            return 1;
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new WorkloadCheckException(what);
        }
    }

    private static void CheckDigest(string actual, string expected, string what) =>
        Check(actual == expected, $"{what}: digest {actual}, expected {expected}");

    private static void CheckTestVectors()
    {
        var random = new Mulberry32(42);
        uint[] expected = [2581720956, 1925393290, 3661312704, 2876485805, 750819978];
        Check(expected.All(e => random.U32() == e), "mulberry32 seed 42: first five u32 differ from section 7");
        random = new Mulberry32(42);
        int[] expectedInts = [6011, 4482, 8524, 6697, 1748];
        Check(expectedInts.All(e => random.Int(10000) == e), "mulberry32 seed 42: first five int(10000) differ from section 7");
        var store = RecordStoreData.InitialStore(10_000);
        Check(store[0].AsString == "vq4ygsjw5ri50lhsyvaq" && store[3].AsInt64 == 110943 && !store[6].AsBool && store[7].AsBool, "first record differs from section 7");
        var last = 9_999 * 8;
        Check(store[last].AsString == "ydibmgwmd8rad8e28ixx" && store[last + 5].AsInt64 == 293797, "last FULL record differs from section 7");
        var stream = RecordStoreData.Stream(store, 10_000, 43, 3);
        Check(stream.Records[0] == 9998 && stream.Fields[0] == 2 && stream.Values[0].AsString == "tcc0bc5gj47cqjnyz7ic", "first op of stream 43 differs");
        Check(stream.Records[1] == 9349 && stream.Values[1].AsInt64 == 41508 && stream.Records[2] == 4240 && stream.Values[2].AsBool, "ops 2-3 of stream 43 differ");
    }

    private static FieldValue[] RecordFields(Value[] store, int index)
    {
        var fields = new FieldValue[8];
        for (var f = 0; f < 8; f++)
        {
            fields[f] = new FieldValue(RecordStoreData.Fields[f], store[(index * 8) + f]);
        }

        return fields;
    }

    private static void CreateStore(CoreReplica replica, RecordId[] keys, Value[] store)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            replica.Upsert(keys[i], RecordFields(store, i));
        }
    }

    private static void ApplyStream(CoreReplica replica, RecordId[] keys, UpdateStream stream)
    {
        var records = stream.Records;
        var fields = stream.Fields;
        var values = stream.Values;
        // One scratch array for every op: a change copies what it is given, so the harness need not allocate.
        var scratch = new FieldValue[1];
        for (var k = 0; k < records.Length; k++)
        {
            scratch[0] = new FieldValue(RecordStoreData.Fields[fields[k]], values[k]);
            replica.Upsert(keys[records[k]], scratch);
        }
    }

    private static IEnumerable<Figures> RunRs124(Size size, int trials)
    {
        var store = RecordStoreData.InitialStore(size.RecordCount);
        var keys = RecordStoreData.Keys(size.RecordCount);
        var stream = RecordStoreData.Stream(store, size.RecordCount, 43, size.Updates);
        CheckDigest(CanonicalJson.DigestOfModel(store, size.RecordCount), size.InitialDigest, "initial store model");
        CheckDigest(CanonicalJson.DigestOfModel(stream.FinalModel, size.RecordCount), size.AfterStream43Digest, "model after stream 43");
        var rs1 = new Figures("RS-1", size.Name, trials);
        var rs2 = new Figures("RS-2", size.Name, trials);
        var rs4 = new Figures("RS-4", size.Name, trials);
        for (var trial = 0; trial < trials; trial++)
        {
            // RS-1
            var a = new CoreReplica(1, Records, new SteppingTimeProvider(StartMilliseconds));
            Timing.Collect();
            var start = Timing.Start();
            CreateStore(a, keys, store);
            rs1.Add("create_ms", Timing.Milliseconds(start));
            var initialSnapshot = a.EncodeSnapshot();
            rs1.Add("init_snapshot_bytes", initialSnapshot.Length);
            var b = CoreReplica.Load(2, Records, new SteppingTimeProvider(a.Time.NextMilliseconds), initialSnapshot);
            CheckDigest(CanonicalJson.DigestOfStates(b.Records.Values), size.InitialDigest, "RS-1 B loaded from A's snapshot");
            Timing.Collect();
            var pause = GC.GetTotalPauseDuration();
            var gen0 = GC.CollectionCount(0);
            start = Timing.Start();
            ApplyStream(a, keys, stream);
            var updateMs = Timing.Milliseconds(start);
            rs1.Add("update_cpu_ms", Timing.LastCpuMs);
            rs1.Add("update_alloc_bytes", Timing.LastAllocatedBytes);
            Console.Error.WriteLine($"# RS-1 update: {updateMs:0.0} ms, GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0.0} ms in {GC.CollectionCount(0) - gen0} collections");
            rs1.Add("update_ms", updateMs);
            rs1.Add("updates_per_s", size.Updates / updateMs * 1000);
            CheckDigest(CanonicalJson.DigestOfStates(a.Records.Values), size.AfterStream43Digest, "RS-1 A after stream 43");

            // RS-2
            var theirVersion = b.Version();
            Timing.Collect();
            start = Timing.Start();
            var delta = a.EncodeDelta(theirVersion);
            var encodeMs = Timing.Milliseconds(start);
            var encodeCpu = Timing.LastCpuMs;
            var encodeAllocated = Timing.LastAllocatedBytes;
            Timing.Collect();
            start = Timing.Start();
            b.ApplyDelta(delta);
            var applyMs = Timing.Milliseconds(start);
            rs2.Add("encode_plus_apply_alloc_bytes", encodeAllocated + Timing.LastAllocatedBytes);
            rs2.Add("encode_cpu_ms", encodeCpu);
            rs2.Add("apply_cpu_ms", Timing.LastCpuMs);
            rs2.Add("encode_plus_apply_cpu_ms", encodeCpu + Timing.LastCpuMs);
            rs2.Add("encode_ms", encodeMs);
            rs2.Add("apply_ms", applyMs);
            rs2.Add("encode_plus_apply_ms", encodeMs + applyMs);
            rs2.Add("delta_bytes", delta.Length);
            CheckDigest(CanonicalJson.DigestOfStates(b.Records.Values), size.AfterStream43Digest, "RS-2 B after the delta");
            b = null;
            delta = null;

            // RS-4
            Timing.Collect();
            start = Timing.Start();
            var snapshot = a.EncodeSnapshot();
            rs4.Add("save_ms", Timing.Milliseconds(start));
            rs4.Add("snapshot_bytes", snapshot.Length);
            a = null;
            Timing.Collect();
            start = Timing.Start();
            var c = CoreReplica.Load(3, Records, new SteppingTimeProvider(StartMilliseconds), snapshot);
            var loadMs = Timing.Milliseconds(start);
            var loadCpu = Timing.LastCpuMs;
            var loadAllocated = Timing.LastAllocatedBytes;
            start = Timing.Start();
            var plain = ReadAll(c);
            var readMs = Timing.Milliseconds(start);
            rs4.Add("load_plus_read_cpu_ms", loadCpu + Timing.LastCpuMs);
            rs4.Add("load_plus_read_alloc_bytes", loadAllocated + Timing.LastAllocatedBytes);
            rs4.Add("load_ms", loadMs);
            rs4.Add("first_read_ms", readMs);
            rs4.Add("load_plus_read_ms", loadMs + readMs);
            CheckDigest(CanonicalJson.DigestOfPlain(plain), size.AfterStream43Digest, "RS-4 state read from the loaded replica");
            var load = Timing.LoadAverage();
            rs1.Add("load_average_1m", load);
            rs2.Add("load_average_1m", load);
            rs4.Add("load_average_1m", load);
            Console.Error.WriteLine($"# RS-1/2/4 trial {trial + 1}/{trials} done");
        }

        rs1.Fact("digest_ok", true);
        rs2.Fact("digest_ok", true);
        rs4.Fact("digest_ok", true);
        return [rs1, rs2, rs4];
    }

    /// <summary>Reads the complete records map into plain values (key → field → bool / long / string).</summary>
    private static Dictionary<string, Dictionary<string, object?>> ReadAll(CoreReplica replica)
    {
        var plain = new Dictionary<string, Dictionary<string, object?>>(replica.Records.Count);
        foreach (var (id, state) in replica.Records)
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

            plain[id] = fields;
        }

        return plain;
    }

    private static Figures RunRs3(Size size, int trials)
    {
        var store = RecordStoreData.InitialStore(size.RecordCount);
        var keys = RecordStoreData.Keys(size.RecordCount);
        var streamA = RecordStoreData.Stream(store, size.RecordCount, 44, size.UpdatesPerReplica);
        var streamB = RecordStoreData.Stream(store, size.RecordCount, 45, size.UpdatesPerReplica);
        CheckDigest(CanonicalJson.DigestOfModel(streamA.FinalModel, size.RecordCount), size.Rs3ADigest, "model after stream 44");
        CheckDigest(CanonicalJson.DigestOfModel(streamB.FinalModel, size.RecordCount), size.Rs3BDigest, "model after stream 45");
        var figures = new Figures("RS-3", size.Name, trials);
        for (var trial = 0; trial < trials; trial++)
        {
            var a = new CoreReplica(1, Records, new SteppingTimeProvider(StartMilliseconds));
            CreateStore(a, keys, store);
            var b = CoreReplica.Load(2, Records, new SteppingTimeProvider(a.Time.NextMilliseconds), a.EncodeSnapshot());
            Check(a.Time.NextMilliseconds == b.Time.NextMilliseconds && a.Clock.LastTime == b.Clock.LastTime, "RS-3: A's and B's clocks differ at the base");

            Timing.Collect();
            var start = Timing.Start();
            ApplyStream(a, keys, streamA);
            figures.Add("local_ms_A", Timing.Milliseconds(start));
            Timing.Collect();
            start = Timing.Start();
            ApplyStream(b, keys, streamB);
            figures.Add("local_ms_B", Timing.Milliseconds(start));
            CheckDigest(CanonicalJson.DigestOfStates(a.Records.Values), size.Rs3ADigest, "RS-3 A before the merge");
            CheckDigest(CanonicalJson.DigestOfStates(b.Records.Values), size.Rs3BDigest, "RS-3 B before the merge");

            var versionA = a.Version();
            var versionB = b.Version();
            Timing.Collect();
            start = Timing.Start();
            var deltaAToB = a.EncodeDelta(versionB);
            var deltaBToA = b.EncodeDelta(versionA);
            var encodeMs = Timing.Milliseconds(start);
            var encodeCpu = Timing.LastCpuMs;
            var encodeAllocated = Timing.LastAllocatedBytes;
            Timing.Collect();
            start = Timing.Start();
            var appliedByB = b.ApplyDelta(deltaAToB);
            var appliedByA = a.ApplyDelta(deltaBToA);
            var applyMs = Timing.Milliseconds(start);
            figures.Add("merge_cpu_ms", encodeCpu + Timing.LastCpuMs);
            figures.Add("merge_alloc_bytes", encodeAllocated + Timing.LastAllocatedBytes);
            figures.Add("encode_ms", encodeMs);
            figures.Add("apply_ms", applyMs);
            figures.Add("merge_ms", encodeMs + applyMs);
            figures.Add("delta_bytes_A_to_B", deltaAToB.Length);
            figures.Add("delta_bytes_B_to_A", deltaBToA.Length);
            Check(appliedByA == size.UpdatesPerReplica && appliedByB == size.UpdatesPerReplica, "RS-3: each delta must hold exactly the other side's M ops");

            var digestA = CanonicalJson.DigestOfStates(a.Records.Values);
            Check(digestA == CanonicalJson.DigestOfStates(b.Records.Values), "RS-3: A and B did not converge");
            CheckDigest(digestA, size.Rs3MergedDigest, "RS-3 merged state (Lamport rule)");
            var (contested, wonByA) = CheckMergeSemantics(a, keys, store, streamA, streamB);
            Check(contested == size.Contested, $"RS-3: {contested} contested fields, expected {size.Contested}");
            figures.Fact("contested_fields", contested);
            figures.Fact("contested_won_by_A", wonByA);
            figures.Add("load_average_1m", Timing.LoadAverage());
            Console.Error.WriteLine($"# RS-3 trial {trial + 1}/{trials} done");
        }

        figures.Fact("digest_ok", true);
        return figures;
    }

    private static (int Contested, int WonByA) CheckMergeSemantics(CoreReplica merged, RecordId[] keys, Value[] store, UpdateStream streamA, UpdateStream streamB)
    {
        var contested = 0;
        var wonByA = 0;
        for (var r = 0; r < keys.Length; r++)
        {
            var state = merged.Records[keys[r].Text];
            for (var f = 0; f < 8; f++)
            {
                var slot = (r * 8) + f;
                var value = state[RecordStoreData.Fields[f]];
                var lastA = streamA.LastPosition[slot];
                var lastB = streamB.LastPosition[slot];
                var where = $"RS-3 {keys[r]}.{RecordStoreData.FieldTexts[f]}";
                if (lastA < 0 && lastB < 0)
                {
                    Check(value == store[slot], where + ": written by neither, must keep its initial value");
                }
                else if (lastB < 0)
                {
                    Check(value == streamA.Values[lastA], where + ": written only by A, must hold A's last value");
                }
                else if (lastA < 0)
                {
                    Check(value == streamB.Values[lastB], where + ": written only by B, must hold B's last value");
                }
                else
                {
                    contested++;
                    var aValue = streamA.Values[lastA];
                    var bValue = streamB.Values[lastB];
                    Check(value == aValue || value == bValue, where + ": contested, must hold one of the two last values");
                    var lamportWinner = lastA > lastB ? aValue : bValue;
                    Check(value == lamportWinner, where + ": contested, the Lamport rule picks the other value");
                    if (lastA > lastB)
                    {
                        wonByA++;
                    }
                }
            }
        }

        return (contested, wonByA);
    }

    private static Figures RunB31(Size size, int trials)
    {
        const int n = 6000;
        var clients = 20 * (int)Math.Floor(Math.Sqrt(n));
        var figures = new Figures("B3.1", size.Name, trials);
        for (var trial = 0; trial < trials; trial++)
        {
            var clientReplicas = new CoreReplica[clients];
            var updates = new byte[clients][];
            long updateBytes = 0;
            for (var i = 0; i < clients; i++)
            {
                clientReplicas[i] = new CoreReplica((ulong)i + 1, MapCollection, new SteppingTimeProvider(StartMilliseconds));
                var change = clientReplicas[i].Upsert(MapRoot, [new FieldValue(MapKey, Value.Int64(i))]);
                updates[i] = ChangeCodec.Encode(change);
                updateBytes += updates[i].Length;
            }

            var reference = ApplyAll(new CoreReplica(1_000_000, MapCollection, new SteppingTimeProvider(StartMilliseconds)), updates, Enumerable.Range(0, clients));
            var hub = new CoreReplica(1_000_001, MapCollection, new SteppingTimeProvider(StartMilliseconds));
            Timing.Collect();
            var start = Timing.Start();
            foreach (var update in updates)
            {
                hub.ApplyRemote(ChangeCodec.Decode(update));
            }

            figures.Add("apply_ms", Timing.Milliseconds(start));
            Timing.Collect();
            start = Timing.Start();
            var doc = hub.EncodeSnapshot();
            figures.Add("encode_ms", Timing.Milliseconds(start));
            figures.Add("doc_bytes", doc.Length);
            Timing.Collect();
            start = Timing.Start();
            var loaded = CoreReplica.Load(1_000_002, MapCollection, new SteppingTimeProvider(StartMilliseconds), doc);
            var loadedValue = loaded.Records[MapRoot.Text][MapKey];
            figures.Add("parse_ms", Timing.Milliseconds(start));
            figures.Add("update_bytes_total", updateBytes);

            var winner = reference.Records[MapRoot.Text][MapKey];
            Check(winner == hub.Records[MapRoot.Text][MapKey] && winner == loadedValue, "B3.1: reference hub, timed hub and loaded replica disagree on v");
            Check(winner == Value.Int64(clients - 1), $"B3.1: v = {winner}, expected {clients - 1} (the highest peer wins the tie)");
            if (trial == 0)
            {
                var reversed = ApplyAll(new CoreReplica(1_000_002, MapCollection, new SteppingTimeProvider(StartMilliseconds)), updates, Enumerable.Range(0, clients).Reverse());
                var order = Enumerable.Range(0, clients).ToArray();
                var random = new Mulberry32(7);
                for (var i = order.Length - 1; i > 0; i--)
                {
                    var j = random.Int(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }

                var shuffled = ApplyAll(new CoreReplica(1_000_002, MapCollection, new SteppingTimeProvider(StartMilliseconds)), updates, order);
                var hubBytes = RecordStateCodec.Encode(hub.Records[MapRoot.Text]);
                Check(hubBytes.AsSpan().SequenceEqual(RecordStateCodec.Encode(reversed.Records[MapRoot.Text])), "B3.1: the hub fed in reverse order differs");
                Check(hubBytes.AsSpan().SequenceEqual(RecordStateCodec.Encode(shuffled.Records[MapRoot.Text])), "B3.1: the hub fed in shuffled order differs");
                var samples = size.ConvergeClients;
                var fullState = SnapshotCodec.Decode(doc);
                for (var k = 0; k < samples; k++)
                {
                    var index = (int)Math.Floor((k * (clients - 1.0) / (samples - 1)) + 0.5);
                    var client = clientReplicas[index];
                    foreach (var state in fullState)
                    {
                        client.Records[state.Id.Text].MergeFrom(state);
                    }

                    Check(hubBytes.AsSpan().SequenceEqual(RecordStateCodec.Encode(client.Records[MapRoot.Text])), $"B3.1: client {index} differs after merging the hub's full state");
                }

                figures.Fact("converge_checked_clients", samples);
            }

            figures.Add("load_average_1m", Timing.LoadAverage());
            figures.Fact("winner_value", winner.AsInt64);
            figures.Fact("clients", clients);
        }

        return figures;
    }

    private static CoreReplica ApplyAll(CoreReplica hub, byte[][] updates, IEnumerable<int> order)
    {
        foreach (var i in order)
        {
            hub.ApplyRemote(ChangeCodec.Decode(updates[i]));
        }

        return hub;
    }
}
