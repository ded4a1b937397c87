using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>The canonical codecs round trip, and equal things have equal bytes.</summary>
public class CodecLaws
{
    private static readonly Arbitrary<Value> Values = ValueGenerators.Value.ToArbitrary();

    [Fact]
    public void Codec_EveryValueKind_RoundTrips() =>
        PropertyRunner.Check(Prop.ForAll(Values, value =>
        {
            var change = Change.Upsert(new ChangeId(Domain.Replicas[0], 1), new Clocks.Stamp(Domain.StartMilliseconds, 0, Domain.Replicas[0]),
                Domain.Collection, Domain.Record, VersionVector.Empty, [new FieldValue("v", value)]);
            var bytes = ChangeCodec.Encode(change);
            var decoded = ChangeCodec.Decode(bytes);
            Expect.That(decoded.TryGetField("v", out var back) && back.Equals(value) && back.Kind == value.Kind && back.GetHashCode() == value.GetHashCode() && back.CompareTo(value) == 0,
                () => $"{value.Kind} {Describe(value)} came back as {Describe(back)}");
            Expect.SameBytes(bytes, ChangeCodec.Encode(decoded), () => $"{value.Kind} {Describe(value)} re-encodes differently");
        }));

    [Fact]
    public void Codec_Change_RoundTrips_AndEqualChangesHaveEqualBytes() =>
        PropertyRunner.Check(Prop.ForAll(ChangeGenerators.AnyChange.ToArbitrary(), change =>
        {
            var bytes = ChangeCodec.Encode(change);
            var decoded = ChangeCodec.Decode(bytes);
            Expect.SameBytes(bytes, ChangeCodec.Encode(decoded), () => ChangeGenerators.DescribeChange(change));
            Expect.That(decoded.Id == change.Id && decoded.Stamp == change.Stamp && decoded.Kind == change.Kind && decoded.Base.Equals(change.Base)
                && decoded.ActionName == change.ActionName && decoded.Fields.SequenceEqual(change.Fields),
                () => $"{ChangeGenerators.DescribeChange(change)} decoded as {ChangeGenerators.DescribeChange(decoded)}");

            // The same change built from its fields in another order is the same bytes.
            var reversed = change.Kind switch
            {
                ChangeKind.Upsert => Change.Upsert(change.Id, change.Stamp, change.Collection, change.RecordId, VersionVector.From(change.Base.Reverse()), change.Fields.Reverse()),
                ChangeKind.Action => Change.Action(change.Id, change.Stamp, change.Collection, change.RecordId, VersionVector.From(change.Base.Reverse()), change.ActionName!.Value, change.Fields.Reverse()),
                _ => Change.Delete(change.Id, change.Stamp, change.Collection, change.RecordId, VersionVector.From(change.Base.Reverse())),
            };
            Expect.SameBytes(bytes, ChangeCodec.Encode(reversed), () => $"{ChangeGenerators.DescribeChange(change)} built in another order");
        }));

    [Fact]
    public void Codec_RecordState_RoundTrips() =>
        PropertyRunner.Check(Prop.ForAll(RecordStates, state =>
        {
            var bytes = StateBytes.Of(state);
            var decoded = RecordStateCodec.Decode(bytes);
            Expect.SameBytes(bytes, StateBytes.Of(decoded), () => StateBytes.Describe(state));
            Expect.That(!decoded.Clone().MergeFrom(state) && !state.Clone().MergeFrom(decoded), () => $"the decoded state merges as a different state: {StateBytes.Describe(state)}");
        }));

    /// <summary>States with journals, tombstones and values of every kind: arbitrary and causal sets, plus sets of any single changes.</summary>
    public static Arbitrary<Records.RecordState> RecordStates { get; } = Gen.OneOf(
            ChangeSetCase.Cases.Select(c => StateBytes.Build(c.Changes)),
            Gen.ListOf(ChangeGenerators.AnyChange).Select(changes => StateBytes.Build(changes.DistinctBy(c => c.Id))))
        .ToArbitrary();

    [Fact]
    public void Value_ToString_IsTotal() =>
        PropertyRunner.Check(Prop.ForAll(Values, value =>
        {
            var text = Record.Exception(() => value.ToString());
            Expect.That(text is null, () => $"{value.Kind} value with bits {Describe(value)} cannot be shown: {text}");
        }));

    private static string Describe(Value value) => value.Kind switch
    {
        ValueKind.Float64 => $"0x{BitConverter.DoubleToInt64Bits(value.AsFloat64):x16}",
        ValueKind.Timestamp => $"{value.AsTimestampMilliseconds} ms",
        ValueKind.Bytes => ValueGenerators.Hex(value.AsBytes.Span),
        ValueKind.String => $"\"{value.AsString[..Math.Min(40, value.AsString.Length)]}\" ({value.AsString.Length} chars)",
        _ => value.Kind.ToString() + " " + (value.Kind == ValueKind.Int64 ? value.AsInt64.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty),
    };
}
