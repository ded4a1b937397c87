using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Crdt.Tests.Support;

/// <summary>Small conveniences over the FsCheck fluent API.</summary>
public static class GenExtensions
{
    /// <summary>An arbitrary from a generator and a shrinker.</summary>
    public static Arbitrary<T> ToArbitrary<T>(this Gen<T> generator, Func<T, IEnumerable<T>> shrink) => Arb.From(generator, shrink);
}
