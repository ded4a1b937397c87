using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>Decoding is total over bytes: a typed error or a value that re-encodes to exactly the input.</summary>
public class DecodeLaws
{
    /// <summary>One edit to a byte string.</summary>
    public sealed record Mutation(int Kind, int Position, byte Value)
    {
        /// <summary>Applies the edit (positions wrap around the length).</summary>
        public byte[] ApplyTo(byte[] bytes)
        {
            var at = bytes.Length == 0 ? 0 : Position % (bytes.Length + (Kind >= 2 ? 1 : 0));
            return Kind switch
            {
                0 when bytes.Length > 0 => [.. bytes[..at], Value, .. bytes[(at + 1)..]],              // replace a byte
                1 when bytes.Length > 0 => [.. bytes[..at], (byte)(bytes[at] ^ (1 << (Value % 8))), .. bytes[(at + 1)..]], // flip a bit
                2 => [.. bytes[..at], Value, .. bytes[at..]],                                          // insert
                3 => bytes[..at],                                                                        // truncate
                4 => [.. bytes, Value],                                                                  // append
                _ when bytes.Length > 0 => [.. bytes[..Math.Min(at, bytes.Length - 1)], .. bytes[(Math.Min(at, bytes.Length - 1) + 1)..]], // delete a byte
                _ => bytes,
            };
        }

        /// <inheritdoc />
        public override string ToString() => $"{new[] { "replace", "flip", "insert", "truncate", "append", "delete" }[Kind]}@{Position}:{Value:x2}";
    }

    /// <summary>A decoding attempt: the codec, the input bytes and how they were made.</summary>
    public sealed record DecodeCase(bool AsRecordState, byte[] Original, Mutation[] Mutations)
    {
        /// <summary>The bytes to decode.</summary>
        public byte[] Input => Mutations.Aggregate(Original, (bytes, m) => m.ApplyTo(bytes));

        /// <inheritdoc />
        public override string ToString() =>
            $"{(AsRecordState ? "RecordStateCodec" : "ChangeCodec")} of {ValueGenerators.Hex(Original)} after [{string.Join(", ", Mutations.AsEnumerable())}] = {ValueGenerators.Hex(Input)}";
    }

    private static readonly Gen<Mutation> MutationGen =
        from kind in Gen.Choose(0, 5)
        from position in Gen.Choose(0, 10_000)
        from value in Gen.Frequency((3, Gen.Choose(0, 255)), (2, Gen.Elements(0x00, 0x7f, 0x80, 0x90, 0xa0, 0xc0, 0xc1, 0xc2, 0xc4, 0xca, 0xcb, 0xcc, 0xcf, 0xd3, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xff)))
        select new Mutation(kind, position, (byte)value);

    private static readonly Gen<byte[]> ValidChange = ChangeGenerators.AnyChange.Select(ChangeCodec.Encode);

    private static readonly Gen<byte[]> ValidState = CodecLaws.RecordStates.Generator.Select(RecordStateCodec.Encode);

    private static readonly Arbitrary<DecodeCase> Cases = Gen.Frequency(
            (4, from asState in Gen.Elements(false, true)
                from original in asState ? ValidState : ValidChange
                from mutations in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(MutationGen, n))
                select new DecodeCase(asState, original, mutations)),
            (1, from asState in Gen.Elements(false, true)
                from format in Gen.Elements(FormatByte.ChangeV1, FormatByte.RecordStateV1, (byte)0x02, (byte)0x12, (byte)0x00, (byte)0xff)
                from rest in Gen.ListOf(Gen.Choose(0, 255).Select(b => (byte)b))
                select new DecodeCase(asState, [format, .. rest], [])))
        .ToArbitrary(c => Enumerable.Range(0, c.Mutations.Length).Select(i => c with { Mutations = [.. c.Mutations[..i], .. c.Mutations[(i + 1)..]] }));

    [Fact]
    public void Decode_RandomAndMutatedBytes_GiveADecodeExceptionOrAValueThatReencodesIdentically() =>
        PropertyRunner.Check(Prop.ForAll(Cases, @case =>
        {
            var input = @case.Input;
            byte[] reencoded;
            try
            {
                reencoded = @case.AsRecordState ? RecordStateCodec.Encode(RecordStateCodec.Decode(input)) : ChangeCodec.Encode(ChangeCodec.Decode(input));
            }
            catch (DecodeException)
            {
                return;
            }
            catch (Exception ex)
            {
                throw new LawViolatedException($"decoding threw {ex.GetType().Name}, not DecodeException: {ex}");
            }

            Expect.SameBytes(input, reencoded, () => "decoding accepted bytes that are not the canonical encoding of what they decode to");
        }));
}
