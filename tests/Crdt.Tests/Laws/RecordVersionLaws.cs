using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using CrdtSync.Crdt.Versions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>
/// The version a record keeps inline (<see cref="RecordVersion"/>: up to two origins without a vector object, more as
/// a vector) is, after any sequence of steps, the same version as an immutable <see cref="VersionVector"/> given the
/// same steps, and answers every question the same way.
/// </summary>
public class RecordVersionLaws
{
    /// <summary>Four origins, so an inline version passes two and turns into a vector, from either end of the order.</summary>
    private static readonly ReplicaId[] Origins = [.. new ulong[] { 1, 2, 3, 4 }.Select(ReplicaId.FromPeerNumber)];

    private static readonly Gen<ChangeId> Id =
        from origin in Gen.Elements(Origins)
        from sequence in Gen.Choose(1, 4)
        select new ChangeId(origin, sequence);

    private static readonly Gen<VersionVector> Vector =
        Gen.CollectToArray(Origins, r => Gen.Choose(0, 4).Select(s => new KeyValuePair<ReplicaId, long>(r, s)))
            .Select(VersionVector.From);

    /// <summary>One step: add a change id, read the vector (which the version then keeps), or replace the version.</summary>
    private sealed record Step(int Kind, ChangeId Id, VersionVector Vector)
    {
        public override string ToString() => Kind switch { 0 => $"add {Id.Origin.Low}#{Id.Sequence}", 1 => "read", _ => $"set {ChangeGenerators.DescribeVersion(Vector)}" };
    }

    private static readonly Arbitrary<(Step[] Steps, VersionVector Probe)> Cases =
        (from steps in Gen.ListOf(
             from kind in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
             from id in Id
             from vector in Vector
             select new Step(kind, id, vector))
         from probe in Vector
         select (steps.ToArray(), probe)).ToArbitrary();

    private static string D(VersionVector vector) => ChangeGenerators.DescribeVersion(vector);

    [Fact]
    public void RecordVersion_AfterAnySteps_EqualsTheVectorGivenTheSameSteps_AndAnswersAlike() =>
        PropertyRunner.Check(Prop.ForAll(Cases, c =>
        {
            var inline = RecordVersion.Empty;
            var reference = VersionVector.Empty;
            foreach (var step in c.Steps)
            {
                switch (step.Kind)
                {
                    case 0:
                        var added = inline.Add(step.Id);
                        var with = reference.With(step.Id);
                        Expect.That(added == !ReferenceEquals(with, reference) && added == !reference.Includes(step.Id),
                            () => $"{string.Join("; ", c.Steps)}: Add({step.Id}) returned {added} on {D(reference)}");
                        reference = with;
                        break;
                    case 1:
                        var read = inline.ToVector();
                        Expect.That(read.Equals(reference) && ReferenceEquals(read, inline.ToVector()) && inline.IsCachedVector(read),
                            () => $"{string.Join("; ", c.Steps)}: read {D(read)}, expected {D(reference)} (and the same instance twice)");
                        break;
                    default:
                        inline.Set(step.Vector);
                        reference = step.Vector;
                        break;
                }

                var probe = c.Probe;
                Expect.That(
                    inline.Count == reference.Count && inline.ToVector().Equals(reference) &&
                    inline.Covers(probe) == reference.Covers(probe) && inline.IsCoveredBy(probe) == probe.Covers(reference) &&
                    Origins.All(o => inline.Get(o) == reference.Get(o)),
                    () => $"{string.Join("; ", c.Steps)}: inline {D(inline.ToVector())} vs vector {D(reference)}, probe {D(probe)}");
            }
        }));
}
