namespace CrdtSync.Crdt.Tests.Support;

/// <summary>Assertions for properties: the description is built only when the law is broken.</summary>
public static class Expect
{
    /// <summary>Throws <see cref="LawViolatedException"/> with <paramref name="describe"/>() unless <paramref name="condition"/>.</summary>
    public static void That(bool condition, Func<string> describe)
    {
        if (!condition)
        {
            throw new LawViolatedException(describe());
        }
    }

    /// <summary>Checks that two byte strings are equal (canonical encodings).</summary>
    public static void SameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, Func<string> describe)
    {
        if (!expected.SequenceEqual(actual))
        {
            var e = expected.ToArray();
            var a = actual.ToArray();
            throw new LawViolatedException(describe() + $"\nexpected bytes {Generators.ValueGenerators.Hex(e)}\nactual bytes   {Generators.ValueGenerators.Hex(a)}");
        }
    }
}

/// <summary>A law did not hold for a generated case.</summary>
public sealed class LawViolatedException(string message) : Exception(message);
