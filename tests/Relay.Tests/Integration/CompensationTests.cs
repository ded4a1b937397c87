using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrdtSync.Crdt.Changes;
using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Encoding;
using CrdtSync.Crdt.Records;
using CrdtSync.Crdt.Values;
using CrdtSync.Crdt.Versions;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>
/// A refused upsert is answered by the relay's compensating upsert, committed with the refusal, so that every copy that
/// merged the refused change (peers) converges with the relay once it pulls the log (DESIGN.md §6).
/// </summary>
public abstract class CompensationTests(TestRelay relay)
{
    /// <summary>Cases of the property: a tenth of CRDTSYNC_PROPERTY_CASES (each case is a dozen real pushes), at least 15.</summary>
    private static readonly int Cases =
        int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_CASES"), out var cases) ? Math.Max(15, cases / 10) : 15;

    private static readonly Config Seeded = Config.QuickThrowOnFailure.WithMaxTest(Cases).WithReplay(20261203UL, 11UL);

    private static int _case;

    [Fact]
    public async Task A_refused_upsert_is_followed_in_the_log_by_a_relay_upsert_restoring_the_relays_values_of_the_fields_it_wrote()
    {
        var alice = await relay.DeviceAsync("comp-alice", "agent");
        var create = alice.Create("incidents", "c-1", F("title", "Pump down"), F("priority", 2L));
        var created = await alice.PushAsync(create);
        var refused = alice.Upsert("incidents", "c-1", Seen(create), F("title", "Pump up"), F("priority", 9L), F("assigned_to", "alice"));

        var outcome = await alice.PushAsync(refused);

        Assert.Equal(OutcomeKind.Invalid, outcome.Kind);
        Assert.Equal(0, outcome.LogSequence);
        Assert.Empty(outcome.Committed);
        var entries = (await alice.PullAllAsync(created.LogSequence, "incidents")).SelectMany(p => p.Entries).ToList();
        var compensation = ChangeCodec.Decode(entries.Single().Change.Memory);
        Assert.Equal(await RelayIdAsync(), compensation.Id.Origin);
        Assert.True(compensation.Stamp.CompareTo(refused.Stamp) > 0);
        Assert.True(compensation.Base.Includes(refused.Id) && compensation.Base.Includes(create.Id));
        Assert.Equal(
            [("assigned_to", Value.Null), ("priority", Value.Int64(2)), ("title", Value.String("Pump down"))],
            compensation.Fields.Select(f => (f.Name.Text, f.Value)).OrderBy(f => f.Text, StringComparer.Ordinal));

        // A copy that merged the refused change (a peer) and pulls the log holds the relay's values again.
        var peer = RecordState.FromChanges(create.Collection, create.RecordId, [create, refused, compensation]);
        var atRelay = await RecordAsync("c-1");
        Assert.All(new[] { "title", "priority", "assigned_to" }, f => Assert.Equal(atRelay[new FieldName(f)], peer[new FieldName(f)]));
        Assert.Empty(peer.Journal);
    }

    [Fact]
    public async Task A_refused_create_is_compensated_with_nulls_so_the_record_does_not_exist_and_a_later_create_of_it_is_accepted()
    {
        var alice = await relay.DeviceAsync("comp-bob", "agent");
        var refused = alice.Create("incidents", "c-2", F("priority", 3L), F("status", "open"));

        Assert.Equal(OutcomeKind.Invalid, (await alice.PushAsync(refused)).Kind);
        var vanished = await RecordAsync("c-2");
        Assert.False(vanished.Exists);
        Assert.True(RecordState.FromChanges(refused.Collection, refused.RecordId, [refused]).Exists);
        Assert.Equal(Value.Null, vanished[new FieldName("priority")]);

        var retry = alice.Upsert("incidents", "c-2", vanished.Version.With(refused.Id), F("title", "Pump down"), F("priority", 3L), F("status", "open"));
        Assert.Equal(OutcomeKind.Accepted, (await alice.PushAsync(retry)).Kind);
        var created = await RecordAsync("c-2");
        Assert.True(created.Exists);
        Assert.Equal(Value.String("Pump down"), created[new FieldName("title")]);
    }

    [Fact]
    public async Task A_refused_change_pushed_again_gets_the_same_refusal_and_no_second_compensation_and_the_meter_counts_one()
    {
        var factory = relay.Host.Services.GetRequiredService<IMeterFactory>();
        var compensations = 0L;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "crdtsync.relay.compensations" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref compensations, value));
        listener.Start();
        var alice = await relay.DeviceAsync("comp-cleo", "agent");
        var refused = alice.Create("incidents", "c-3", F("priority", 4L));

        var first = await alice.PushAsync(refused);
        var length = (await relay.LogInfoAsync()).LogLength;
        var again = await alice.PushAsync([refused, refused]);

        Assert.Equal(OutcomeKind.Invalid, first.Kind);
        Assert.All(again, o => Assert.Equal((OutcomeKind.Invalid, true), (o.Kind, o.RepeatedPush)));
        Assert.Equal(length, (await relay.LogInfoAsync()).LogLength);
        Assert.Equal(1, Interlocked.Read(ref compensations));
    }

    [Fact]
    public void After_any_refused_and_accepted_changes_the_relay_record_is_the_fold_of_its_log_and_copies_that_merged_the_refused_ones_converge_with_it() =>
        Prop.ForAll(Scripts().ToArbitrary(), script =>
        {
            Task.Run(async () =>
            {
                var prefix = $"p{Interlocked.Increment(ref _case)}-";
                var devices = new[] { await relay.DeviceAsync(prefix + "ana", "agent"), await relay.DeviceAsync(prefix + "ben", "agent") };
                var pushed = new List<Change>();
                var refusedUpserts = new HashSet<ChangeId>();
                foreach (var step in script)
                {
                    var device = devices[step.Device];
                    var id = prefix + step.Record;
                    if (step.Repush && pushed.Count > 0)
                    {
                        var earlier = pushed[step.Value % pushed.Count];
                        var origin = devices.Single(d => d.Id == earlier.Id.Origin);
                        await origin.PushAsync(earlier);
                        continue;
                    }

                    var seen = step.Stale ? VersionVector.Empty : (await FindRecordAsync(id))?.Version ?? VersionVector.Empty;
                    var change = device.Upsert("incidents", id, seen, [.. step.Fields()]);
                    pushed.Add(change);
                    var outcome = await device.PushAsync(change);
                    if (outcome.Kind != OutcomeKind.Accepted)
                    {
                        refusedUpserts.Add(change.Id);
                    }
                }

                var relayId = await RelayIdAsync();
                var log = (await devices[0].PullAllAsync(0, "incidents")).SelectMany(p => p.Entries)
                    .Select(e => ChangeCodec.Decode(e.Change.Memory)).Where(c => c.RecordId.Text.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                Assert.Equal(refusedUpserts.Count, log.Count(c => c.Id.Origin == relayId));
                foreach (var group in log.Concat(pushed).GroupBy(c => c.RecordId))
                {
                    var atRelay = await RecordAsync(group.Key.Text);
                    var fold = RecordState.FromChanges(group.First().Collection, group.Key, log.Where(c => c.RecordId == group.Key));
                    Assert.Equal(Convert.ToHexString(RecordStateCodec.Encode(atRelay)), Convert.ToHexString(RecordStateCodec.Encode(fold)));

                    var copy = RecordState.FromChanges(group.First().Collection, group.Key, group);
                    Assert.Equal(atRelay.Exists, copy.Exists);
                    foreach (var field in atRelay.Fields.Keys.Union(copy.Fields.Keys))
                    {
                        Assert.Equal(atRelay[field], copy[field]);
                    }
                }
            }).GetAwaiter().GetResult();
        }).Check(Seeded);

    private static Gen<Step[]> Scripts() =>
        (from device in Gen.Choose(0, 1)
         from record in Gen.Elements("a", "b")
         from title in Gen.Choose(0, 3)
         from priority in Gen.Choose(0, 7)
         from resolution in Gen.Choose(0, 2)
         from stale in Gen.Elements(true, false, false)
         from repush in Gen.Elements(true, false, false, false, false)
         from value in Gen.Choose(0, 100)
         select new Step(device, record, title, priority, resolution, stale, repush, value)).ArrayOf().Select(a => a.Take(12).ToArray());

    private async Task<ReplicaId> RelayIdAsync() => ReplicaId.FromBytes((await relay.LogInfoAsync()).RelayReplicaId.Span);

    private async Task<RecordState?> FindRecordAsync(string id)
    {
        var found = await relay.Admin.GetRecordAsync(new GetRecordRequest { Collection = "incidents", RecordId = id });
        return found.Found ? RecordStateCodec.Decode(found.State.Memory) : null;
    }

    private async Task<RecordState> RecordAsync(string id) => await FindRecordAsync(id) ?? throw new InvalidOperationException($"The relay has no incidents/{id}.");

    /// <summary>
    /// One push of a script: an upsert of a device on a record (title 0: not written; priority 0: not written, 6-7:
    /// invalid; resolution, a manual field: 0 not written), based on the relay's current version or on nothing (stale:
    /// conflicts on manual fields); or a re-push of an earlier change.
    /// </summary>
    public sealed record Step(int Device, string Record, int Title, int Priority, int Resolution, bool Stale, bool Repush, int Value)
    {
        public IEnumerable<FieldValue> Fields()
        {
            if (Title > 0)
            {
                yield return F("title", "t" + Title);
            }

            if (Priority > 0)
            {
                yield return F("priority", (long)Priority);
            }

            if (Resolution > 0 || (Title == 0 && Priority == 0))
            {
                yield return F("resolution", "r" + Resolution);
            }
        }
    }
}

public sealed class CompensationTestsOnSqlite(SqliteRelay relay) : CompensationTests(relay), IClassFixture<SqliteRelay>;

public sealed class CompensationTestsOnPostgres(PostgresRelay relay) : CompensationTests(relay), IClassFixture<PostgresRelay>;
