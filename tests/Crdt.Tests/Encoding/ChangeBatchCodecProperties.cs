using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static CrdtSync.Crdt.Tests.Encoding.CompactCodecGenerators;

namespace CrdtSync.Crdt.Tests.Encoding;

public class ChangeBatchCodecProperties
{
    private static bool SameCanonicalChanges(IReadOnlyList<Change> expected, IReadOnlyList<Change> actual) =>
        expected.Count == actual.Count &&
        expected.Zip(actual).All(pair => ChangeCodec.Encode(pair.First).AsSpan().SequenceEqual(ChangeCodec.Encode(pair.Second)));

    [Fact]
    public void Batch_RoundTrips_ToTheSameCanonicalChanges() =>
        Check.One(Config(0x2101), Prop.ForAll(Batch().ToArbitrary(), changes =>
            SameCanonicalChanges(changes, ChangeBatchCodec.Decode(ChangeBatchCodec.Encode(changes)))));

    [Fact]
    public void Batch_DecodeThenEncode_GivesTheSameBytes() =>
        Check.One(Config(0x2102), Prop.ForAll(Batch().ToArbitrary(), changes =>
        {
            var bytes = ChangeBatchCodec.Encode(changes);
            return bytes.AsSpan().SequenceEqual(ChangeBatchCodec.Encode(ChangeBatchCodec.Decode(bytes)));
        }));

    [Fact]
    public void Batch_MutatedBytes_AreRefused_OrReencodeIdentically() =>
        Check.One(Config(0x2103), Prop.ForAll(Batch().ToArbitrary(), Mutation().ToArbitrary(), (changes, mutation) =>
        {
            var mutated = Mutate(ChangeBatchCodec.Encode(changes), mutation);
            return AcceptsOnlyCanonical(mutated);
        }));

    [Fact]
    public void Batch_RandomBytes_AreRefused_OrReencodeIdentically() =>
        Check.One(Config(0x2104), Prop.ForAll(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).ToArbitrary(), bytes =>
            AcceptsOnlyCanonical([FormatByte.BatchV1, .. bytes])));

    private static bool AcceptsOnlyCanonical(byte[] bytes)
    {
        Change[] decoded;
        try
        {
            decoded = ChangeBatchCodec.Decode(bytes);
        }
        catch (DecodeException)
        {
            return true;
        }

        return bytes.AsSpan().SequenceEqual(ChangeBatchCodec.Encode(decoded));
    }

    private static readonly ReplicaId A = ReplicaId.FromPeerNumber(1);

    private static Change Update(long sequence, string record, VersionVector baseVersion, string field = "title", long value = 7) =>
        Change.Upsert(new ChangeId(A, sequence), new Stamp(1_767_225_600_000 + sequence, 0, A), "records", record, baseVersion, [new FieldValue(field, Value.Int64(value))]);

    [Fact]
    public void An_empty_batch_round_trips()
    {
        var bytes = ChangeBatchCodec.Encode([]);
        Assert.Equal(FormatByte.BatchV1, bytes[0]);
        Assert.Empty(ChangeBatchCodec.Decode(bytes));
    }

    [Fact]
    public void A_stream_of_single_field_updates_costs_a_few_bytes_beyond_its_values()
    {
        var changes = new List<Change>();
        var versions = new Dictionary<string, VersionVector>();
        for (var sequence = 1; sequence <= 1000; sequence++)
        {
            var record = "r" + (sequence * 7 % 100).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
            var baseVersion = versions.GetValueOrDefault(record, VersionVector.Empty);
            var change = Update(sequence, record, baseVersion, value: sequence);
            versions[record] = baseVersion.With(change.Id);
            changes.Add(change);
        }

        var bytes = ChangeBatchCodec.Encode(changes);
        // Header, record index, stamp and a 3-byte field+value: at most 8 bytes a change, plus the tables.
        Assert.True(bytes.Length < (changes.Count * 8) + 800, $"{bytes.Length} bytes for {changes.Count} changes");
        Assert.True(SameCanonicalChanges(changes, ChangeBatchCodec.Decode(bytes)));
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var bytes = ChangeBatchCodec.Encode([Update(1, "r1", VersionVector.Empty)]);
        var error = Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes.Append((byte)0).ToArray()));
        Assert.Equal(DecodeErrorKind.TrailingBytes, error.Kind);
    }

    [Fact]
    public void A_newer_version_asks_for_an_upgrade_and_another_kind_is_the_wrong_format()
    {
        var bytes = ChangeBatchCodec.Encode([Update(1, "r1", VersionVector.Empty)]);
        bytes[0] = 0x22;
        Assert.Equal(DecodeErrorKind.UnknownVersion, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes)).Kind);
        bytes[0] = FormatByte.ChangeV1;
        Assert.Equal(DecodeErrorKind.WrongFormat, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes)).Kind);
        Assert.Equal(DecodeErrorKind.Empty, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(Array.Empty<byte>())).Kind);
    }

    [Fact]
    public void A_duplicate_table_entry_is_refused()
    {
        // Replica table of two equal ids, nothing else.
        byte[] bytes = [FormatByte.BatchV1, 2, .. A.ToByteArray(), .. A.ToByteArray(), 0, 0, 0, 0, 0];
        Assert.Equal(DecodeErrorKind.DuplicateKey, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes)).Kind);
    }

    [Fact]
    public void An_unused_table_entry_is_refused()
    {
        byte[] bytes = [FormatByte.BatchV1, 1, .. A.ToByteArray(), 0, 0, 0, 0, 0];
        Assert.Equal(DecodeErrorKind.NonCanonical, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes)).Kind);
    }

    [Fact]
    public void An_out_of_range_record_index_is_refused()
    {
        // One change: ... record index, field head (index 0 * 8 + int code 3), zigzag(7) = 14. The record
        // table has one entry, so index 1 is out of range.
        var bytes = ChangeBatchCodec.Encode([Update(1, "r1", VersionVector.Empty)]);
        Assert.Equal(new byte[] { 0, 3, 14 }, bytes[^3..]);
        bytes[^3] = 1;
        Assert.Equal(DecodeErrorKind.InvalidValue, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(bytes)).Kind);
    }

    [Fact]
    public void A_longer_varint_is_refused()
    {
        var bytes = ChangeBatchCodec.Encode([]);
        // The change count 0 written as two bytes (0x80 0x00).
        byte[] longer = [.. bytes[..^1], 0x80, 0x00];
        Assert.Equal(DecodeErrorKind.NonCanonical, Assert.Throws<DecodeException>(() => ChangeBatchCodec.Decode(longer)).Kind);
    }

    [Fact]
    public void Changes_on_many_replicas_and_actions_round_trip()
    {
        var b = ReplicaId.FromPeerNumber(2);
        List<Change> changes =
        [
            Change.Action(new ChangeId(b, 3), new Stamp(5, 1, b), "tasks", "t1", VersionVector.Empty.With(new ChangeId(A, 9)), "close", [new FieldValue("reason", Value.String("done"))]),
            Change.Delete(new ChangeId(A, 10), new Stamp(6, 0, A), "tasks", "t1", VersionVector.Empty.With(new ChangeId(A, 9)).With(new ChangeId(b, 3))),
            Update(1, "r1", VersionVector.Empty),
        ];
        Assert.True(SameCanonicalChanges(changes, ChangeBatchCodec.Decode(ChangeBatchCodec.Encode(changes))));
    }
}
