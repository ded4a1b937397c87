using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>The partial-order and join-semilattice laws of <see cref="VersionVector"/>.</summary>
public class VersionVectorLaws
{
    /// <summary>Small vectors (sequences 0 to 3 over three replicas), so equal and ordered pairs are common.</summary>
    private static readonly Gen<VersionVector> Vector =
        Gen.CollectToArray(Domain.Replicas, r => Gen.Choose(0, 3).Select(s => new KeyValuePair<ReplicaId, long>(r, s))).Select(VersionVector.From);

    /// <summary>Triples where b is often at or after a and c often at or after b.</summary>
    private static readonly Arbitrary<(VersionVector A, VersionVector B, VersionVector C)> Triples =
        (from a in Vector
         from b in Gen.OneOf(Vector, Vector.Select(a.Merge))
         from c in Gen.OneOf(Vector, Vector.Select(b.Merge))
         select (a, b, c)).ToArbitrary();

    private static readonly Arbitrary<(VersionVector V, ChangeId Id)> VectorAndId =
        (from v in Vector
         from r in ValueGenerators.Replica
         from s in Gen.Choose(1, 4)
         select (v, new ChangeId(r, s))).ToArbitrary();

    private static bool PointwiseAtMost(VersionVector a, VersionVector b) => Domain.Replicas.All(r => a.Get(r) <= b.Get(r));

    private static string Show(params VersionVector[] vectors) => string.Join(" ", vectors.Select(ChangeGenerators.DescribeVersion));

    [Fact]
    public void VersionVector_Compare_IsReflexive() =>
        PropertyRunner.Check(Prop.ForAll(Vector.ToArbitrary(), a =>
        {
            var copy = VersionVector.From(a.Reverse());
            Expect.That(a.Compare(a) == VersionOrder.Equal && a.Compare(copy) == VersionOrder.Equal && a.Equals(copy) && a.GetHashCode() == copy.GetHashCode() && a.Covers(a),
                () => Show(a));
        }));

    [Fact]
    public void VersionVector_Compare_IsAntisymmetric_AndMatchesThePointwiseOrder() =>
        PropertyRunner.Check(Prop.ForAll(Triples, t =>
        {
            var (a, b, _) = t;
            var forward = a.Compare(b);
            var backward = b.Compare(a);
            var expected = (PointwiseAtMost(a, b), PointwiseAtMost(b, a)) switch
            {
                (true, true) => VersionOrder.Equal,
                (true, false) => VersionOrder.Before,
                (false, true) => VersionOrder.After,
                _ => VersionOrder.Concurrent,
            };
            var mirror = expected switch { VersionOrder.Before => VersionOrder.After, VersionOrder.After => VersionOrder.Before, var same => same };
            Expect.That(forward == expected && backward == mirror && (forward == VersionOrder.Equal) == a.Equals(b),
                () => $"{Show(a, b)}: Compare gave {forward}/{backward}, pointwise {expected}");
        }));

    [Fact]
    public void VersionVector_Compare_IsTransitive() =>
        PropertyRunner.Check(Prop.ForAll(Triples, t =>
        {
            var (a, b, c) = t;
            if (a.Covers(b) && b.Covers(c))
            {
                Expect.That(a.Covers(c), () => Show(a, b, c));
            }

            if (c.Covers(b) && b.Covers(a))
            {
                Expect.That(c.Covers(a), () => Show(a, b, c));
            }
        }));

    [Fact]
    public void VersionVector_Merge_IsTheLeastUpperBound() =>
        PropertyRunner.Check(Prop.ForAll(Triples, t =>
        {
            var (a, b, c) = t;
            var m = a.Merge(b);
            Expect.That(m.Covers(a) && m.Covers(b), () => $"{Show(a, b)} merge {Show(m)} is not an upper bound");
            Expect.That(Domain.Replicas.All(r => m.Get(r) == Math.Max(a.Get(r), b.Get(r))), () => $"{Show(a, b)} merge {Show(m)} is not the pointwise max");
            if (c.Covers(a) && c.Covers(b))
            {
                Expect.That(c.Covers(m), () => $"{Show(c)} bounds {Show(a, b)} but not their merge {Show(m)}");
            }

            Expect.That(m.Equals(b.Merge(a)) && m.Merge(c).Equals(a.Merge(b.Merge(c))) && a.Merge(a).Equals(a) && a.Merge(VersionVector.Empty).Equals(a) && VersionVector.Empty.Merge(a).Equals(a),
                () => $"merge of {Show(a, b, c)} is not commutative, associative, idempotent with Empty as identity");
        }));

    [Fact]
    public void VersionVector_IncludesAndWith_AreConsistent() =>
        PropertyRunner.Check(Prop.ForAll(VectorAndId, t =>
        {
            var (v, id) = t;
            var with = v.With(id);
            Expect.That(with.Includes(id) && with.Covers(v), () => $"{Show(v)}.With({id}) = {Show(with)}");
            Expect.That(v.Includes(id) == v.Equals(with), () => $"{Show(v)} Includes({id}) = {v.Includes(id)} but With gives {Show(with)}");
            Expect.That(v.Includes(id) == (v.Get(id.Origin) >= id.Sequence), () => $"{Show(v)} Includes({id}) disagrees with Get");
            Expect.That(with.Equals(v.Merge(VersionVector.From([new(id.Origin, id.Sequence)]))), () => $"{Show(v)}.With({id}) is not the merge with {{{id}}}");
        }));
}
