using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Versions;
using CrdtSync.Peers.Tests.Support;
using CrdtSync.Replica.Peers;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Peers.Tests.Laws;

/// <summary>
/// The laws of the change store, on real SQLite replicas: anti-entropy sends exactly the missing ids, and any delivery
/// order (with duplicates and gaps filled late) ends in the same states with nothing held. Seeded: a failure prints its replay.
/// </summary>
public sealed class AntiEntropyLaws
{
    private static readonly Config Seeded = Config.QuickThrowOnFailure.WithMaxTest(25).WithReplay(20261102UL, 7UL);

    /// <summary>A universe of upserts: origins 1..3, up to 6 sequences each, on 3 records with few titles (ties are common).</summary>
    private static Gen<List<Change>> Universe() =>
        from counts in Gen.Choose(0, 6).ArrayOf(3)
        from picks in Gen.Choose(0, 1000).ArrayOf(18)
        select Enumerable.Range(0, 3).SelectMany(o => Enumerable.Range(1, counts[o]).Select(s =>
            Changes.Upsert((ulong)o + 1, s, "inc-" + (picks[(o * 6) + s - 1] % 3), "t" + (picks[(o * 6) + s - 1] % 4), 1_700_000_000_000 + (picks[(o * 6) + s - 1] % 5)))).ToList();

    [Fact]
    public void Anti_entropy_sends_exactly_the_changes_the_other_side_misses() =>
        Prop.ForAll(
            (from universe in Universe()
             from mine in Gen.Choose(0, 6).ArrayOf(3)
             from theirs in Gen.Choose(0, 6).ArrayOf(3)
             select (universe, mine, theirs)).ToArbitrary(),
            input =>
            {
                var (universe, mine, theirs) = input;
                WithNodes(async (a, b) =>
                {
                    await a.Replica.ApplyPeerChangesAsync(new PeerChangeSet(Prefix(universe, mine), []));
                    await b.Replica.ApplyPeerChangesAsync(new PeerChangeSet(Prefix(universe, theirs), []));
                    var sent = await a.Replica.GetPeerChangesAsync(await b.Replica.GetPeerVersionAsync(), 1000);
                    var expected = Prefix(universe, mine).Select(c => c.Id).Except(Prefix(universe, theirs).Select(c => c.Id)).Order().ToList();
                    Assert.Equal(expected, sent.Changes.Select(c => c.Id).Order().ToList());
                    Assert.Empty(sent.Skipped);
                });
            }).Check(Seeded);

    [Fact]
    public void Any_delivery_order_with_duplicates_converges_and_holds_nothing_at_the_end() =>
        Prop.ForAll(
            (from universe in Universe()
             from keys in Gen.Choose(0, 1000).ArrayOf(universe.Count * 2)
             from chunk in Gen.Choose(1, 4)
             select (universe, keys, chunk)).ToArbitrary(),
            input =>
            {
                var (universe, keys, chunk) = input;
                WithNodes(async (inOrder, shuffled) =>
                {
                    await inOrder.Replica.ApplyPeerChangesAsync(new PeerChangeSet(universe, []));
                    var delivery = universe.Concat(universe).Zip(keys).OrderBy(p => p.Second).Select(p => p.First).ToList();
                    foreach (var part in delivery.Chunk(chunk))
                    {
                        await shuffled.Replica.ApplyPeerChangesAsync(new PeerChangeSet(part.DistinctBy(c => c.Id).ToList(), []));
                    }

                    Assert.Equal(inOrder.VisibleStates(), shuffled.VisibleStates());
                    Assert.Equal(0, await shuffled.Replica.GetHeldPeerChangeCountAsync());
                    Assert.Equal(await inOrder.Replica.GetPeerVersionAsync(), await shuffled.Replica.GetPeerVersionAsync());
                });
            }).Check(Seeded);

    [Fact]
    public async Task A_change_whose_predecessor_is_missing_is_held_not_applied_and_released_when_the_predecessor_arrives()
    {
        await using var node = await PeerNode.CreateAsync("ana");
        var report = await node.Replica.ApplyPeerChangesAsync(new PeerChangeSet([Changes.Upsert(9, 3, "inc-9", "third"), Changes.Upsert(9, 2, "inc-9", "second")], []));
        Assert.Equal((0, 2), (report.Applied, report.Held));
        Assert.Empty(node.VisibleStates());
        Assert.Equal(0, (await node.Replica.GetPeerVersionAsync()).Get(Crdt.Clocks.ReplicaId.FromPeerNumber(9)));

        var released = await node.Replica.ApplyPeerChangesAsync(new PeerChangeSet([Changes.Upsert(9, 1, "inc-9", "first")], []));

        Assert.Equal((3, 0, 2), (released.Applied, released.Held, released.Released));
        Assert.Equal(Crdt.Values.Value.String("third"), (await node.Replica.GetAsync("incidents", "inc-9"))!["title"]);
    }

    [Fact]
    public async Task A_skipped_id_fills_its_place_in_the_sequence_without_changing_any_record()
    {
        await using var node = await PeerNode.CreateAsync("ana");
        var origin = Crdt.Clocks.ReplicaId.FromPeerNumber(4);
        await node.Replica.ApplyPeerChangesAsync(new PeerChangeSet([Changes.Upsert(4, 3, "inc-4", "after the close")], [new ChangeId(origin, 2)]));
        Assert.Equal(0, (await node.Replica.GetPeerVersionAsync()).Get(origin));

        await node.Replica.ApplyPeerChangesAsync(new PeerChangeSet([Changes.Upsert(4, 1, "inc-4", "made")], []));

        Assert.Equal(3, (await node.Replica.GetPeerVersionAsync()).Get(origin));
        var sent = await node.Replica.GetPeerChangesAsync(VersionVector.Empty, 10);
        Assert.Equal([new ChangeId(origin, 2)], sent.Skipped.Where(id => id.Origin == origin));
    }

    private static List<Change> Prefix(List<Change> universe, int[] lengths) =>
        universe.Where(c => c.Id.Sequence <= lengths[(int)c.Id.Origin.ToByteArray()[15] - 1]).ToList();

    private static void WithNodes(Func<PeerNode, PeerNode, Task> body)
    {
        Task.Run(async () =>
        {
            await using var a = await PeerNode.CreateAsync("ana");
            await using var b = await PeerNode.CreateAsync("ben");
            await body(a, b);
        }).GetAwaiter().GetResult();
    }
}
