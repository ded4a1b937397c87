using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Errors;
using CrdtSync.Crdt.Tests.Generators;
using CrdtSync.Crdt.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace CrdtSync.Crdt.Tests.Laws;

/// <summary>The laws of <see cref="HybridLogicalClock"/>.</summary>
public class ClockLaws
{
    private static readonly TimeSpan SkewMax = TimeSpan.FromMilliseconds(500);

    /// <summary>One thing done to a clock: step the wall clock, issue a stamp, or observe a stamp at an offset from the wall clock.</summary>
    public sealed record ClockOp(int Kind, long Milliseconds, int Counter)
    {
        /// <inheritdoc />
        public override string ToString() => Kind switch
        {
            0 => $"Step {Milliseconds:+0;-0;0}ms",
            1 => "Next",
            _ => $"Observe wall{Milliseconds:+0;-0;+0}ms.{Counter}",
        };
    }

    private static readonly Gen<ClockOp> Op = Gen.Frequency(
        (3, Gen.Frequency((5, Gen.Choose(-20, 20)), (1, Gen.Elements(-100_000, -1000, 1000, 100_000))).Select(ms => new ClockOp(0, ms, 0))),
        (5, Gen.Constant(new ClockOp(1, 0, 0))),
        (3, from ms in Gen.Frequency((5, Gen.Choose(-30, 30)), (2, Gen.Elements(-1000, 499, 500, 501, 502, 1000, 60_000)))
            from counter in Gen.Frequency((5, Gen.Choose(0, 3)), (1, Gen.Elements(Stamp.MaxCounter - 1, Stamp.MaxCounter)))
            select new ClockOp(2, ms, counter)));

    private static readonly Arbitrary<ClockOp[]> Ops = Gen.ListOf(Op).Select(list => list.ToArray()).ToArbitrary(ops =>
        Enumerable.Range(0, ops.Length).Select(i => (ClockOp[])[.. ops[..i], .. ops[(i + 1)..]]));

    [Fact]
    public void Clock_IsMonotonic_WhenWallClockStepsBackAndForward() =>
        PropertyRunner.Check(Prop.ForAll(Ops, ops =>
        {
            var wall = new SteppableTimeProvider(Domain.StartMilliseconds);
            var clock = new HybridLogicalClock(Domain.Replicas[0], wall, 0, SkewMax);
            var other = Domain.Replicas[1];
            ulong greatest = 0;
            foreach (var op in ops)
            {
                switch (op.Kind)
                {
                    case 0:
                        wall.Step(op.Milliseconds);
                        break;
                    case 1:
                        var exhausted = (greatest & 0xFFFF) == Stamp.MaxCounter && wall.NowMilliseconds <= (long)(greatest >> 16);
                        Stamp next;
                        try
                        {
                            next = clock.Next();
                        }
                        catch (ClockException)
                        {
                            Expect.That(exhausted && clock.LastTime == greatest, () => $"Next threw though the counter was not exhausted, or moved the clock (ops {string.Join(", ", ops)})");
                            break;
                        }

                        Expect.That(!exhausted, () => "Next wrapped or skipped instead of refusing an exhausted counter");
                        Expect.That(next.Time > greatest && next.Replica == clock.Replica, () => $"Next gave {next} after {greatest >> 16}.{greatest & 0xFFFF} (ops {string.Join(", ", ops)})");
                        if (wall.NowMilliseconds > (long)(greatest >> 16))
                        {
                            Expect.That(next.Milliseconds == wall.NowMilliseconds && next.Counter == 0, () => $"the wall clock was ahead of everything, yet Next gave {next}");
                        }

                        greatest = next.Time;
                        Expect.That(clock.LastTime == greatest, () => "LastTime is not the stamp just issued");
                        break;
                    default:
                        var seen = new Stamp(Math.Max(0, wall.NowMilliseconds + op.Milliseconds), op.Counter, other);
                        var accepted = clock.Observe(seen);
                        var shouldAccept = seen.Time <= greatest || seen.Milliseconds - wall.NowMilliseconds <= (long)SkewMax.TotalMilliseconds;
                        Expect.That(accepted == shouldAccept, () => $"Observe({seen}) returned {accepted} at wall {wall.NowMilliseconds}");
                        greatest = accepted ? Math.Max(greatest, seen.Time) : greatest;
                        Expect.That(clock.LastTime == greatest, () => $"after Observe({seen}) -> {accepted}, LastTime is {clock.LastTime}, expected {greatest}");
                        break;
                }
            }
        }));

    [Fact]
    public void Clock_CounterOverflow_IsAnError_NeverAWrap() =>
        PropertyRunner.Check(Prop.ForAll(Gen.Choose(0, 3).Select(i => Stamp.MaxCounter - i).ToArbitrary(), startCounter =>
        {
            var wall = new SteppableTimeProvider(Domain.StartMilliseconds);
            var start = new Stamp(Domain.StartMilliseconds, startCounter, Domain.Replicas[0]).Time;
            var clock = new HybridLogicalClock(Domain.Replicas[0], wall, start);
            for (var counter = startCounter + 1; counter <= Stamp.MaxCounter; counter++)
            {
                var stamp = clock.Next();
                Expect.That(stamp.Milliseconds == Domain.StartMilliseconds && stamp.Counter == counter, () => $"expected counter {counter}, got {stamp}");
            }

            var last = clock.LastTime;
            var thrown = Record.Exception(() => clock.Next());
            Expect.That(thrown is ClockException && clock.LastTime == last, () => $"an exhausted counter gave {thrown?.GetType().Name ?? "a stamp"} and LastTime {clock.LastTime}");
            wall.Step(1);
            var after = clock.Next();
            Expect.That(after.Milliseconds == Domain.StartMilliseconds + 1 && after.Counter == 0, () => $"after the wall clock advanced, Next gave {after}");
        }));

    [Fact]
    public void Clock_Observe_RefusesStampsBeyondSkewBound() =>
        PropertyRunner.Check(Prop.ForAll(Gen.Choose(-2000, 2000).Zip(Gen.Choose(0, 3)).ToArbitrary(), input =>
        {
            var (aheadMilliseconds, counter) = input;
            var wall = new SteppableTimeProvider(Domain.StartMilliseconds);
            var clock = new HybridLogicalClock(Domain.Replicas[0], wall, 0, SkewMax);
            var issued = clock.Next();
            var seen = new Stamp(Domain.StartMilliseconds + aheadMilliseconds, counter, Domain.Replicas[1]);
            var accepted = clock.Observe(seen);
            var withinBound = aheadMilliseconds <= SkewMax.TotalMilliseconds;
            Expect.That(accepted == withinBound, () => $"Observe of a stamp {aheadMilliseconds} ms ahead returned {accepted}");
            Expect.That(clock.LastTime == (accepted ? Math.Max(issued.Time, seen.Time) : issued.Time), () => $"LastTime {clock.LastTime} after Observe -> {accepted}");
            var next = clock.Next();
            Expect.That(next.Time > issued.Time && (!accepted || next > seen), () => $"Next {next} is not after what was issued and accepted");
        }));
}
