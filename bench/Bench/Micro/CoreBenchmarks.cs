using BenchmarkDotNet.Attributes;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using MessagePack;

namespace CrdtSync.Bench.Micro;

/// <summary>
/// Applying one single-field change to an 8-field record (target below 100 ns), next to the plain baseline
/// of a dictionary update. Each operation applies a new change (the next sequence of one author), so the
/// record is at its steady state and never takes the "already known" shortcut.
/// </summary>
[MemoryDiagnoser]
public class ApplyBenchmarks
{
    private const int Batch = 1024;
    private static readonly ReplicaId Author = ReplicaId.FromPeerNumber(1);
    private static readonly FieldName[] Fields = [.. new[] { "name", "email", "city", "age", "score", "visits", "active", "admin" }.Select(f => new FieldName(f))];
    private Change[] _changes = [];
    private RecordState _record = null!;
    private int _next;
    private Dictionary<string, object> _plain = [];
    private string[] _plainKeys = [];
    private object[] _plainValues = [];

    [GlobalSetup]
    public void Setup()
    {
        // Few enough changes to stay in cache: the benchmark measures Apply, not memory latency.
        const int count = Batch * 16;
        _changes = new Change[count];
        var version = VersionVector.Empty.With(new ChangeId(Author, 1));
        for (var i = 0; i < count; i++)
        {
            var id = new ChangeId(Author, i + 2);
            _changes[i] = Change.Upsert(id, new Stamp(1_000_000 + i, 0, Author), "records", "r00001", version,
                [new FieldValue(Fields[i % 8], Value.Int64(i))]);
            version = version.With(id);
        }

        _plainKeys = [.. Fields.Select(f => f.Text)];
        _plainValues = [.. Enumerable.Range(0, 64).Select(i => (object)(long)i)];
        ResetRecord();
    }

    private void ResetRecord()
    {
        _record = new RecordState("records", "r00001");
        _record.Apply(Change.Upsert(new ChangeId(Author, 1), new Stamp(999_999, 0, Author), "records", "r00001", VersionVector.Empty,
            Fields.Select(f => new FieldValue(f, Value.Int64(0)))));
        _plain = Fields.ToDictionary(f => f.Text, f => (object)0L);
        _next = 0;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "Dictionary<string, object> set one field")]
    public void DictionaryUpdate()
    {
        var plain = _plain;
        for (var i = 0; i < Batch; i++)
        {
            plain[_plainKeys[i & 7]] = _plainValues[i & 63];
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "RecordState.Apply single-field change")]
    public void ApplySingleField()
    {
        if (_next + Batch > _changes.Length)
        {
            ResetRecord();
        }

        var record = _record;
        var changes = _changes;
        for (var i = 0; i < Batch; i++)
        {
            record.Apply(changes[_next + i]);
        }

        _next += Batch;
    }
}

/// <summary>Merging two 8-field states of one record (into a copy), next to merging two plain dictionaries by timestamp.</summary>
[MemoryDiagnoser]
public class MergeBenchmarks
{
    private RecordState _left = null!;
    private RecordState _right = null!;
    private Dictionary<string, (object Value, long Time)> _plainLeft = [];
    private Dictionary<string, (object Value, long Time)> _plainRight = [];

    [GlobalSetup]
    public void Setup()
    {
        var a = ReplicaId.FromPeerNumber(1);
        var b = ReplicaId.FromPeerNumber(2);
        string[] names = ["name", "email", "city", "age", "score", "visits", "active", "admin"];
        var created = Change.Upsert(new ChangeId(a, 1), new Stamp(1000, 0, a), "records", "r1", VersionVector.Empty,
            names.Select(n => new FieldValue(n, Value.String("initial-value-" + n))));
        _left = RecordState.FromChanges("records", "r1", [created]);
        _right = _left.Clone();
        var baseVersion = _left.Version;
        for (var i = 0; i < 8; i++)
        {
            var target = i % 2 == 0 ? _left : _right;
            var origin = i % 2 == 0 ? a : b;
            var sequence = i % 2 == 0 ? 2 + (i / 2) : 1 + (i / 2);
            target.Apply(Change.Upsert(new ChangeId(origin, sequence), new Stamp(2000 + i, 0, origin), "records", "r1", target.Version,
                [new FieldValue(names[i], Value.Int64(i))]));
        }

        _ = baseVersion;
        _plainLeft = names.ToDictionary(n => n, n => ((object)("initial-value-" + n), 1000L));
        _plainRight = names.ToDictionary(n => n, n => ((object)(long)n.Length, 2000L));
    }

    [Benchmark(Baseline = true, Description = "plain dictionaries: copy + LWW merge by time")]
    public Dictionary<string, (object Value, long Time)> DictionaryMerge()
    {
        var merged = new Dictionary<string, (object Value, long Time)>(_plainLeft);
        foreach (var (key, theirs) in _plainRight)
        {
            if (!merged.TryGetValue(key, out var ours) || theirs.Time > ours.Time)
            {
                merged[key] = theirs;
            }
        }

        return merged;
    }

    [Benchmark(Description = "RecordState: Clone + MergeFrom (8 fields, concurrent)")]
    public RecordState MergeRecords()
    {
        var merged = _left.Clone();
        merged.MergeFrom(_right);
        return merged;
    }
}

/// <summary>The plain object the encode/decode baseline serializes: the same data as one change.</summary>
[MessagePackObject]
public sealed class PlainChange
{
    [Key(0)] public byte[] Origin { get; set; } = [];
    [Key(1)] public long Sequence { get; set; }
    [Key(2)] public ulong Stamp { get; set; }
    [Key(3)] public string Collection { get; set; } = string.Empty;
    [Key(4)] public string RecordId { get; set; } = string.Empty;
    [Key(5)] public byte Kind { get; set; }
    [Key(6)] public Dictionary<byte[], long> Base { get; set; } = [];
    [Key(7)] public Dictionary<string, string> Fields { get; set; } = [];
}

/// <summary>Encode + decode of one single-field change (target below 1 µs), next to MessagePackSerializer of an equivalent plain object.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private Change _change = null!;
    private PlainChange _plain = null!;
    private MessagePackSerializerOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var a = ReplicaId.FromPeerNumber(1);
        _change = Change.Upsert(new ChangeId(a, 10_001), new Stamp(1_767_225_610_000, 0, a), "records", "r09998",
            VersionVector.Empty.With(new ChangeId(a, 9_999)), [new FieldValue("city", Value.String("tcc0bc5gj47cqjnyz7ic"))]);
        _plain = new PlainChange
        {
            Origin = a.ToByteArray(), Sequence = 10_001, Stamp = _change.Stamp.Time, Collection = "records", RecordId = "r09998",
            Base = new Dictionary<byte[], long> { [a.ToByteArray()] = 9_999 }, Fields = new Dictionary<string, string> { ["city"] = "tcc0bc5gj47cqjnyz7ic" },
        };
        _options = MessagePackSerializerOptions.Standard;
    }

    [Benchmark(Baseline = true, Description = "MessagePackSerializer plain object: serialize + deserialize")]
    public PlainChange MessagePackPlain() =>
        MessagePackSerializer.Deserialize<PlainChange>(MessagePackSerializer.Serialize(_plain, _options), _options);

    [Benchmark(Description = "ChangeCodec: Encode + Decode")]
    public Change ChangeCodecRoundTrip() => ChangeCodec.Decode(ChangeCodec.Encode(_change));

    [Benchmark(Description = "ChangeBatchCodec of one change: Encode + Decode")]
    public Change[] BatchCodecRoundTrip() => ChangeBatchCodec.Decode(ChangeBatchCodec.Encode([_change]));
}
