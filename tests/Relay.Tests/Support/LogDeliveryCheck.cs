using Google.Protobuf;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// The fan-out check, shared by the fan-out tests and their canaries: a subscriber must receive every accepted log
/// entry exactly once, in sequence order, none skipped (DESIGN.md §5: a cursor never skips a change that commits late
/// with a lower sequence).
/// </summary>
public static class LogDeliveryCheck
{
    /// <summary>
    /// What is wrong with <paramref name="received"/> (entries below <paramref name="before"/>) against
    /// <paramref name="accepted"/>: skipped entries, entries received twice, out of order, or unknown. Empty when right.
    /// </summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<(long Sequence, ByteString Change)> accepted, IEnumerable<(long Sequence, ByteString Change)> received, long before)
    {
        var mine = received.Where(r => r.Sequence < before).ToList();
        var problems = new List<string>();
        var got = mine.Select(r => r.Sequence).ToHashSet();
        problems.AddRange(accepted.Where(a => !got.Contains(a.Sequence)).Select(a => $"skipped sequence {a.Sequence}"));
        problems.AddRange(mine.GroupBy(r => r.Sequence).Where(g => g.Count() > 1).Select(g => $"received sequence {g.Key} {g.Count()} times"));
        problems.AddRange(mine.Zip(mine.Skip(1)).Where(p => p.First.Sequence >= p.Second.Sequence).Select(p => $"sequence {p.Second.Sequence} after {p.First.Sequence}"));
        var expected = accepted.ToDictionary(a => a.Sequence, a => a.Change);
        problems.AddRange(mine.Where(r => !expected.TryGetValue(r.Sequence, out var change) || change != r.Change).Select(r => $"sequence {r.Sequence} is not the accepted entry"));
        return problems;
    }
}
