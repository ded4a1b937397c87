using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace CrdtSync.Crdt.Tests.Encoding;

/// <summary>
/// Generators for the compact codecs: few replicas, names and records so that repeats, ties and the
/// codecs' short forms (same origin, next sequence, continued base) are common, plus the edge values
/// (extreme integers, NaN and -0.0, non-ASCII strings, empty bytes, stamps at the ends of their range).
/// </summary>
internal static class CompactCodecGenerators
{
    public static readonly ReplicaId[] Replicas =
    [
        ReplicaId.FromPeerNumber(1),
        ReplicaId.FromPeerNumber(2),
        ReplicaId.FromPeerNumber(3),
        new(0xFEDC_BA98_7654_3210, 0x0123_4567_89AB_CDEF),
    ];

    private static readonly string[] Collections = ["tasks", "notes", "_a"];
    private static readonly string[] RecordIds = ["r1", "r10", "r2", "x-1:a", "r1.b", "0"];
    private static readonly string[] FieldNames = ["a", "title", "n", "B", "_x", "title2"];

    /// <summary>The number of cases per property: CRDTSYNC_PROPERTY_CASES, default 300.</summary>
    public static int Cases =>
        int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_CASES"), out var cases) && cases > 0 ? cases : 300;

    /// <summary>A seeded configuration, so a failure replays the same cases.</summary>
    public static Config Config(ulong seed) =>
        FsCheck.Config.QuickThrowOnFailure
            .WithMaxTest(Cases)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, 0x9E37_79B9_7F4A_7C15UL), FSharpOption<int>.None)));

    private static Gen<long> Long(long low, long high) =>
        Gen.Choose(0, int.MaxValue).SelectMany(a => Gen.Choose(0, int.MaxValue).Select(b =>
        {
            var span = (ulong)(high - low) + 1;
            var raw = ((ulong)a << 31) | (uint)b;
            return span == 0 ? (long)raw : low + (long)(raw % span);
        }));

    public static Gen<Value> AnyValue() => Gen.Frequency(
        (1, Gen.Constant(Crdt.Values.Value.Null)),
        (2, Gen.Elements(true, false).Select(Crdt.Values.Value.Bool)),
        (3, Gen.Elements(0L, 1L, -1L, 63L, 64L, -64L, -65L, 127L, 128L, 1_000_000L, long.MaxValue, long.MinValue).Select(Crdt.Values.Value.Int64)),
        (2, Long(-5_000_000, 5_000_000).Select(Crdt.Values.Value.Int64)),
        (1, Gen.Elements(0.0, -0.0, 1.5, double.NaN, double.PositiveInfinity, -1e300, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001)).Select(Crdt.Values.Value.Float64)),
        (3, Gen.Elements("", "x", "hello", "été", "🙂 ok", new string('s', 200)).Select(Crdt.Values.Value.String)),
        (1, Gen.Elements(Array.Empty<byte>(), new byte[] { 0 }, new byte[] { 1, 2, 255 }).Select(b => Crdt.Values.Value.Bytes(b))),
        (1, Gen.Elements(0L, -1L, 1_767_225_600_000L, long.MinValue).Select(Crdt.Values.Value.TimestampMilliseconds)));

    private static Gen<ulong> StampTime() => Gen.Frequency(
        (6, Gen.Choose(0, 40).SelectMany(ms => Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 3)), (1, Gen.Constant(65535)))
            .Select(counter => ((ulong)(1_767_225_600_000L + ms) << 16) | (uint)counter))),
        (1, Gen.Elements(0UL, 1UL, ((ulong)Stamp.MaxMilliseconds << 16) | 0xFFFF, (ulong)Stamp.MaxMilliseconds << 16)));

    private static Gen<long> Sequence() => Gen.Frequency(
        (8, Gen.Choose(1, 8).Select(s => (long)s)),
        (1, Gen.Elements(1_000_000L, long.MaxValue - 1, long.MaxValue)));

    public static Gen<VersionVector> Vector() =>
        Gen.ListOf(Gen.Elements(Replicas).SelectMany(r => Sequence().Select(s => new KeyValuePair<ReplicaId, long>(r, s))))
            .Select(entries => VersionVector.From(entries.Take(4)));

    public static Gen<FieldValue[]> Fields() =>
        Gen.SubListOf(FieldNames).SelectMany(names => Gen.ArrayOf(AnyValue(), names.Count)
            .Select(values => names.Select((n, i) => new FieldValue(n, values[i])).ToArray()));

    /// <summary>Any change: origins, sequences, stamps, kinds and bases drawn independently.</summary>
    public static Gen<Change> AnyChange() =>
        from origin in Gen.Elements(Replicas)
        from sequence in Sequence()
        from time in StampTime()
        from collection in Gen.Elements(Collections)
        from record in Gen.Elements(RecordIds)
        from kind in Gen.Frequency((6, Gen.Constant(ChangeKind.Upsert)), (2, Gen.Constant(ChangeKind.Action)), (1, Gen.Constant(ChangeKind.Delete)))
        from baseVersion in Gen.Frequency((2, Vector()), (1, Gen.Constant(VersionVector.Empty)), (1, Gen.Choose(1, 3).Select(back => sequence > back ? VersionVector.Empty.With(new ChangeId(origin, sequence - back)) : VersionVector.Empty)))
        from fields in Fields()
        from action in Gen.Elements("close", "reopen", "assign")
        select kind switch
        {
            ChangeKind.Upsert => Change.Upsert(new ChangeId(origin, sequence), new Stamp(time, origin), collection, record, baseVersion, fields),
            ChangeKind.Action => Change.Action(new ChangeId(origin, sequence), new Stamp(time, origin), collection, record, baseVersion, action, fields),
            _ => Change.Delete(new ChangeId(origin, sequence), new Stamp(time, origin), collection, record, baseVersion),
        };

    /// <summary>
    /// Changes as replicas make them: each author edits records it holds, with a clock that ticks, dense
    /// sequences and the record's version as the base, so the short forms of the batch are exercised.
    /// </summary>
    public static Gen<List<Change>> AuthoredChanges() =>
        Gen.ListOf(
            from author in Gen.Choose(0, 2)
            from record in Gen.Elements(RecordIds.Take(3).ToArray())
            from fields in Fields()
            from tick in Gen.Frequency((4, Gen.Constant(1)), (1, Gen.Choose(0, 100_000)))
            from delete in Gen.Frequency((15, Gen.Constant(false)), (1, Gen.Constant(true)))
            select (author, record, fields, tick, delete))
        .Select(steps =>
        {
            var states = new Dictionary<(int, string), RecordState>();
            var sequences = new long[3];
            var clocks = new ulong[] { 1_767_225_600_000UL << 16, 1_767_225_600_000UL << 16, 1_767_225_600_000UL << 16 };
            var changes = new List<Change>();
            foreach (var (author, record, fields, tick, delete) in steps)
            {
                if (!states.TryGetValue((author, record), out var state))
                {
                    state = new RecordState("tasks", record);
                    states.Add((author, record), state);
                }

                var origin = Replicas[author];
                clocks[author] += tick == 0 ? 1UL : (ulong)tick << 16;
                var id = new ChangeId(origin, ++sequences[author]);
                var change = delete
                    ? Change.Delete(id, new Stamp(clocks[author], origin), "tasks", record, state.Version)
                    : Change.Upsert(id, new Stamp(clocks[author], origin), "tasks", record, state.Version, fields);
                state.Apply(change);
                changes.Add(change);
            }

            return changes;
        });

    public static Gen<List<Change>> Batch() => Gen.Frequency(
        (2, Gen.ListOf(AnyChange())),
        (2, AuthoredChanges()),
        (1, AuthoredChanges().SelectMany(authored => Gen.ListOf(AnyChange()).Select(any => authored.Concat(any).ToList()))));

    /// <summary>A set of record states, each merged from random changes (with concurrent writes, journals and deletes).</summary>
    public static Gen<List<RecordState>> States() =>
        Gen.SubListOf(Collections.SelectMany(c => RecordIds.Select(r => (c, r))).ToArray())
            .SelectMany(keys => Gen.ArrayOf(Gen.ListOf(AnyChange()), keys.Count).Select(changeLists =>
                keys.Select((key, i) =>
                {
                    var (collection, record) = key;
                    // A change id names one change: keep the first change of each id, as a correct system would.
                    var relabelled = changeLists[i].DistinctBy(c => c.Id).Select(c => Relabel(c, collection, record));
                    return RecordState.FromChanges(collection, record, relabelled);
                }).ToList()));

    private static Change Relabel(Change change, CollectionName collection, RecordId record) => change.Kind switch
    {
        ChangeKind.Upsert => Change.Upsert(change.Id, change.Stamp, collection, record, change.Base, change.Fields),
        ChangeKind.Action => Change.Action(change.Id, change.Stamp, collection, record, change.Base, change.ActionName!.Value, change.Fields),
        _ => Change.Delete(change.Id, change.Stamp, collection, record, change.Base),
    };

    /// <summary>A byte mutation: flip, set, insert or delete one byte at a position (taken modulo the length).</summary>
    public static Gen<(int Operation, int Position, byte Value)> Mutation() =>
        from operation in Gen.Choose(0, 3)
        from position in Gen.Choose(0, int.MaxValue)
        from value in Gen.Choose(0, 255)
        select (operation, position, (byte)value);

    public static byte[] Mutate(byte[] bytes, (int Operation, int Position, byte Value) mutation)
    {
        var list = bytes.ToList();
        var position = list.Count == 0 ? 0 : mutation.Position % list.Count;
        switch (mutation.Operation)
        {
            case 0 when list.Count > 0:
                list[position] ^= (byte)(1 << (mutation.Value % 8));
                break;
            case 1 when list.Count > 0:
                list[position] = mutation.Value;
                break;
            case 2:
                list.Insert(Math.Min(position + 1, list.Count), mutation.Value);
                break;
            default:
                if (list.Count > 0)
                {
                    list.RemoveAt(position);
                }

                break;
        }

        return [.. list];
    }
}
