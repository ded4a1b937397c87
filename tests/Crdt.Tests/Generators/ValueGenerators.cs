using System.Text;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Values;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Generators;

/// <summary>Generators of values of every kind, boundary cases included, and of small-world stamps.</summary>
public static class ValueGenerators
{
    /// <summary>The int64 values at the edges of every MessagePack integer form.</summary>
    public static readonly long[] Int64Boundaries =
    [
        0, 1, -1, 31, 32, -32, -33, 127, 128, 255, 256, sbyte.MinValue, sbyte.MinValue - 1,
        short.MaxValue, short.MinValue, short.MinValue - 1, ushort.MaxValue, ushort.MaxValue + 1,
        int.MaxValue, int.MinValue, (long)int.MinValue - 1, uint.MaxValue, (long)uint.MaxValue + 1,
        long.MaxValue, long.MinValue, long.MinValue + 1,
    ];

    /// <summary>Doubles whose bits are easy to lose: NaNs (with payload and sign), zeros, infinities, subnormals.</summary>
    public static readonly double[] Float64Specials =
    [
        double.NaN, -double.NaN, BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_00FF)),
        0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, 1.0, -1.5, 0.1, (double)float.MaxValue, 1e300,
    ];

    /// <summary>Strings that stress UTF-8: empty, non-ASCII, astral characters, NUL, and each string length form.</summary>
    public static readonly string[] StringSpecials =
    [
        "", "a", "héllo", "日本語のテキスト", "😀", "a😀b𝄞c", "\0", "\uFFFF", "\u07FF\u0800",
        new string('x', 31), new string('x', 32), new string('é', 200), new string('y', 256), new string('z', 70_000),
    ];

    /// <summary>Any int64, boundaries often.</summary>
    public static Gen<long> Int64 { get; } = Gen.Frequency(
        (3, Gen.Elements(Int64Boundaries)),
        (3, Gen.Choose(-300, 300).Select(i => (long)i)),
        (2, FullRangeInt64()));

    /// <summary>Any double, specials often, any bit pattern sometimes.</summary>
    public static Gen<double> Float64 { get; } = Gen.Frequency(
        (3, Gen.Elements(Float64Specials)),
        (2, Gen.Choose(-1000, 1000).Select(i => i / 8.0)),
        (2, FullRangeInt64().Select(BitConverter.Int64BitsToDouble)));

    /// <summary>Well-formed strings: specials, or a mix of ASCII, other BMP characters and astral pairs.</summary>
    public static Gen<string> String { get; } = Gen.Frequency(
        (1, Gen.Elements(StringSpecials)),
        (3, Gen.ListOf(TextElement()).Select(parts => string.Concat(parts))));

    /// <summary>Byte strings of every length form.</summary>
    public static Gen<byte[]> Bytes { get; } = Gen.Frequency(
        (4, Gen.ListOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(list => list.ToArray())),
        (1, Gen.Elements(0, 255, 256, 300).Select(length => Enumerable.Range(0, length).Select(i => (byte)i).ToArray())));

    /// <summary>Every value kind.</summary>
    public static Gen<Value> Value { get; } = Gen.OneOf(
        Gen.Constant(Values.Value.Null),
        Gen.Elements(true, false).Select(Values.Value.Bool),
        Int64.Select(Values.Value.Int64),
        Float64.Select(Values.Value.Float64),
        String.Select(Values.Value.String),
        Bytes.Select(b => Values.Value.Bytes(b)),
        Gen.Frequency(
            (2, Gen.Choose(-5000, 5000).Select(i => Domain.StartMilliseconds + i)),
            (1, Int64)).Select(Values.Value.TimestampMilliseconds));

    /// <summary>Small values, so that equal values written concurrently are common too.</summary>
    public static Gen<Value> SmallValue { get; } = Gen.Frequency(
        (3, Gen.Elements(Values.Value.Null, Values.Value.Bool(true), Values.Value.Int64(1), Values.Value.Int64(2), Values.Value.String("a"), Values.Value.String("b"))),
        (1, Value));

    /// <summary>One of the small world's replicas.</summary>
    public static Gen<ReplicaId> Replica { get; } = Gen.Elements(Domain.Replicas);

    /// <summary>A stamp of <paramref name="replica"/> within a few milliseconds of the start, counter mostly small.</summary>
    public static Gen<Stamp> StampOf(ReplicaId replica) =>
        from milliseconds in Gen.Choose(0, 3)
        from counter in Gen.Frequency((6, Gen.Choose(0, 2)), (1, Gen.Constant(Stamp.MaxCounter)))
        select new Stamp(Domain.StartMilliseconds + milliseconds, counter, replica);

    private static Gen<long> FullRangeInt64() =>
        from high in Gen.Choose(int.MinValue, int.MaxValue)
        from low in Gen.Choose(int.MinValue, int.MaxValue)
        select ((long)high << 32) | (uint)low;

    private static Gen<string> TextElement() => Gen.Frequency(
        (4, Gen.Choose(0x20, 0x7E).Select(c => ((char)c).ToString())),
        (1, Gen.Choose(0, 0x1F).Select(c => ((char)c).ToString())),
        (2, Gen.Choose(0x80, 0xD7FF).Select(c => ((char)c).ToString())),
        (1, Gen.Choose(0xE000, 0xFFFF).Select(c => ((char)c).ToString())),
        (2, Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32)));

    /// <summary>A short description of bytes for counterexamples.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= 256 ? Convert.ToHexString(bytes) : Convert.ToHexString(bytes[..256]) + $"...({bytes.Length} bytes)";

    internal static string Describe(IEnumerable<string> lines) => new StringBuilder().AppendJoin("\n  ", lines).ToString();
}
