using System.Buffers.Binary;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using Xunit;

namespace CrdtSync.Crdt.Tests.Examples;

/// <summary>
/// Every change has exactly one encoding: hand-built bytes that differ from it only in form are refused
/// with a typed error. Each example starts from a hand-built canonical change, checked against the encoder.
/// </summary>
public class NonCanonicalEncodingExamples
{
    private static readonly ReplicaId A = Domain.Replicas[0];
    private static readonly ulong Time = new Stamp(Domain.StartMilliseconds, 3, A).Time;

    /// <summary>The slots of a change's MessagePack array, each as raw bytes, so one example can change one slot.</summary>
    private sealed record Parts(byte Format, byte[] Sequence, byte[] Base, byte[] Fields, byte[] Trailing)
    {
        public static Parts Canonical => new(
            FormatByte.ChangeV1,
            [0x01],
            [0x81, .. Bin16(A), 0x02],
            [0x82, .. Str("n"), 0x05, .. Str("s"), .. Str("é")],
            []);

        public byte[] Bytes()
        {
            var time = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(time, Time);
            return [Format, 0x98, .. Bin16(A), .. Sequence, 0xcf, .. time, .. Str("tasks"), .. Str(Domain.Record.Text), 0x00, .. Base, .. Fields, .. Trailing];
        }
    }

    private static byte[] Bin16(ReplicaId id) => [0xc4, 0x10, .. id.ToByteArray()];

    private static byte[] Str(string text)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        return utf8.Length <= 31 ? [(byte)(0xa0 | utf8.Length), .. utf8] : [0xd9, (byte)utf8.Length, .. utf8];
    }

    private static DecodeErrorKind Refused(byte[] bytes) => Assert.Throws<DecodeException>(() => ChangeCodec.Decode(bytes)).Kind;

    [Fact]
    public void The_hand_built_canonical_change_is_exactly_what_the_encoder_writes()
    {
        var change = Change.Upsert(new ChangeId(A, 1), new Stamp(Time, A), Domain.Collection, Domain.Record, VersionVector.From([new(A, 2)]),
            [new FieldValue("s", Value.String("é")), new FieldValue("n", Value.Int64(5))]);
        Assert.Equal(ChangeCodec.Encode(change), Parts.Canonical.Bytes());
        Assert.Equal(Parts.Canonical.Bytes(), ChangeCodec.Encode(ChangeCodec.Decode(Parts.Canonical.Bytes())));
    }

    [Theory]
    [InlineData(new byte[] { 0xcc, 0x01 })]
    [InlineData(new byte[] { 0xcd, 0x00, 0x01 })]
    [InlineData(new byte[] { 0xd3, 0, 0, 0, 0, 0, 0, 0, 0x01 })]
    public void A_sequence_number_in_a_longer_integer_form_is_refused(byte[] sequence) =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Sequence = sequence }).Bytes()));

    [Fact]
    public void An_int64_value_in_a_longer_form_is_refused() =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Fields = [0x82, .. Str("n"), 0xd0, 0x05, .. Str("s"), .. Str("é")] }).Bytes()));

    [Fact]
    public void A_float32_value_is_refused_because_floats_are_written_as_float64() =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Fields = [0x81, .. Str("n"), 0xca, 0x3f, 0x80, 0x00, 0x00] }).Bytes()));

    [Fact]
    public void Field_names_out_of_order_are_refused() =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Fields = [0x82, .. Str("s"), .. Str("é"), .. Str("n"), 0x05] }).Bytes()));

    [Fact]
    public void A_field_name_is_checked_even_after_a_valid_name_of_the_same_length_was_decoded()
    {
        // "n" is decoded (and remembered as a checked name) first; "-" has the same length and is not a name.
        Assert.NotNull(ChangeCodec.Decode(Parts.Canonical.Bytes()));
        Assert.Equal(DecodeErrorKind.InvalidValue, Refused((Parts.Canonical with { Fields = [0x82, .. Str("-"), 0x05, .. Str("s"), .. Str("é")] }).Bytes()));
        Assert.Equal(DecodeErrorKind.InvalidValue, Refused((Parts.Canonical with { Fields = [0x81, .. Str("n\u0001"), 0x05] }).Bytes()));
    }

    [Fact]
    public void A_field_name_twice_is_refused() =>
        Assert.Equal(DecodeErrorKind.DuplicateKey, Refused((Parts.Canonical with { Fields = [0x82, .. Str("n"), 0x05, .. Str("n"), 0x06] }).Bytes()));

    [Fact]
    public void Base_origins_out_of_order_or_twice_are_refused()
    {
        var b = Domain.Replicas[1];
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Base = [0x82, .. Bin16(b), 0x01, .. Bin16(A), 0x01] }).Bytes()));
        Assert.Equal(DecodeErrorKind.DuplicateKey, Refused((Parts.Canonical with { Base = [0x82, .. Bin16(A), 0x01, .. Bin16(A), 0x02] }).Bytes()));
        Assert.Equal(DecodeErrorKind.InvalidValue, Refused((Parts.Canonical with { Base = [0x81, .. Bin16(A), 0x00] }).Bytes()));
    }

    [Fact]
    public void A_short_string_in_the_str8_form_is_refused() =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Fields = [0x81, .. Str("n"), 0xd9, 0x01, (byte)'x'] }).Bytes()));

    [Fact]
    public void A_map_length_in_a_longer_form_is_refused() =>
        Assert.Equal(DecodeErrorKind.NonCanonical, Refused((Parts.Canonical with { Fields = [0xde, 0x00, 0x01, .. Str("n"), 0x05] }).Bytes()));

    [Theory]
    [InlineData(new byte[] { 0xc3, 0x28 })]       // a lead byte without its continuation
    [InlineData(new byte[] { 0xc0, 0xaf })]       // an overlong '/'
    [InlineData(new byte[] { 0xed, 0xa0, 0x80 })] // a surrogate code point
    [InlineData(new byte[] { 0xff })]             // never valid in UTF-8
    public void A_string_that_is_not_valid_UTF8_is_refused(byte[] invalid) =>
        Assert.Equal(DecodeErrorKind.InvalidValue, Refused((Parts.Canonical with { Fields = [0x81, .. Str("s"), (byte)(0xa0 | invalid.Length), .. invalid] }).Bytes()));

    [Fact]
    public void Bytes_after_the_change_are_refused() =>
        Assert.Equal(DecodeErrorKind.TrailingBytes, Refused((Parts.Canonical with { Trailing = [0xc0] }).Bytes()));

    [Fact]
    public void A_change_from_a_newer_format_version_asks_for_an_upgrade()
    {
        var error = Assert.Throws<DecodeException>(() => ChangeCodec.Decode((Parts.Canonical with { Format = 0x02 }).Bytes()));
        Assert.Equal(DecodeErrorKind.UnknownVersion, error.Kind);
        Assert.Contains("upgrade", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_state_given_as_a_change_is_the_wrong_format_and_vice_versa()
    {
        Assert.Equal(DecodeErrorKind.WrongFormat, Refused((Parts.Canonical with { Format = FormatByte.RecordStateV1 }).Bytes()));
        Assert.Equal(DecodeErrorKind.WrongFormat, Assert.Throws<DecodeException>(() => RecordStateCodec.Decode(Parts.Canonical.Bytes())).Kind);
    }

    [Fact]
    public void No_bytes_and_cut_off_bytes_are_refused()
    {
        Assert.Equal(DecodeErrorKind.Empty, Refused([]));
        var bytes = Parts.Canonical.Bytes();
        for (var length = 1; length < bytes.Length; length++)
        {
            Assert.Throws<DecodeException>(() => ChangeCodec.Decode(bytes[..length]));
        }
    }
}
