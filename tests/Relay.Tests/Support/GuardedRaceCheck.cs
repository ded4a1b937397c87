using CrdtSync.Protocol.V1;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Support;

/// <summary>
/// The guarded-race check, shared by the race tests and their canaries: each round a lead creates an open incident,
/// two agents who both saw it race to close it, and the relay must accept exactly one close and refuse the other with
/// <c>guard_failed</c>. How the two pushes interleave is the caller's (by default: both at once).
/// </summary>
public static class GuardedRaceCheck
{
    /// <summary>Runs the two pushes of one round; returns both outcomes (either order).</summary>
    public delegate Task<ChangeOutcome[]> Schedule(Func<Task<ChangeOutcome>> alicePush, Func<Task<ChangeOutcome>> bobPush);

    /// <summary>Both pushes at once, from two threads.</summary>
    public static Task<ChangeOutcome[]> AtOnce(Func<Task<ChangeOutcome>> alicePush, Func<Task<ChangeOutcome>> bobPush) =>
        Task.WhenAll(Task.Run(alicePush), Task.Run(bobPush));

    /// <summary>Runs <paramref name="rounds"/> rounds on fresh incidents named after <paramref name="prefix"/>; returns each round's two outcomes.</summary>
    public static async Task<IReadOnlyList<ChangeOutcome[]>> RunAsync(TestDevice lead, TestDevice alice, TestDevice bob, string prefix, int rounds, Schedule? schedule = null)
    {
        schedule ??= AtOnce;
        var results = new List<ChangeOutcome[]>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            var id = $"{prefix}-{round}";
            var create = lead.Create("incidents", id, F("title", $"Round {round}"), F("status", "open"));
            await lead.PushAsync(create);
            var aliceClose = alice.Action("incidents", id, Seen(create), "close");
            var bobClose = bob.Action("incidents", id, Seen(create), "close");
            results.Add(await schedule(() => alice.PushAsync(aliceClose), () => bob.PushAsync(bobClose)));
        }

        return results;
    }

    /// <summary>Every round that did not end with exactly one acceptance and one <c>guard_failed</c> conflict, described.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<ChangeOutcome[]> rounds) =>
        rounds
            .Select((outcomes, round) => (outcomes, round))
            .Where(r => r.outcomes.Count(o => o.Kind == OutcomeKind.Accepted) != 1
                || r.outcomes.Count(o => o.Kind == OutcomeKind.Conflict && o.Reason == "guard_failed") != 1)
            .Select(r => $"round {r.round}: {r.outcomes.Count(o => o.Kind == OutcomeKind.Accepted)} accepted ({string.Join(", ", r.outcomes.Select(o => $"{o.Kind}/{o.Reason}"))})")
            .ToList();
}
