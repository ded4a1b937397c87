using CrdtSync.Crdt.Schema;
using CrdtSync.Crdt.Values;
using FsCheck;
using FsCheck.Fluent;

namespace CrdtSync.Testing.Schedules;

/// <summary>
/// FsCheck generators of simulation schedules, read off a sync configuration: local writes with values of each
/// field's type (sometimes out of range), the collection's actions with their arguments, deletes, resolves and
/// discards, grants and revocations, and fault schedules (drops, duplicates, delays, partitions, crashes, clock skew).
/// </summary>
public sealed class ScheduleGenerator
{
    private static readonly DateTimeOffset TimestampBase = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SimulationOptions _options;
    private readonly SyncConfiguration _configuration;
    private readonly string[] _roles;
    private readonly HashSet<(CollectionName, FieldName)> _filterFields;

    /// <summary>Creates the generators for <paramref name="options"/>.</summary>
    public ScheduleGenerator(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _configuration = SyncConfigurationJson.Parse(options.ConfigurationJson);
        _roles = [.. options.GrantableRoles ?? [.. _configuration.Roles.Keys.Order(StringComparer.Ordinal)]];
        _filterFields = [.. _configuration.Roles.Values.SelectMany(r => r.Grants).Where(g => g.Value.FilterField is not null).Select(g => (g.Key, g.Value.FilterField!.Value))];
    }

    /// <summary>A whole schedule: a seed and <see cref="SimulationOptions.StepCount"/> steps.</summary>
    public Gen<Schedule> Schedule() =>
        from seed in Gen.Choose(0, int.MaxValue)
        from steps in Step().ArrayOf(_options.StepCount)
        select new Schedule(seed, steps);

    /// <summary>The schedule that <paramref name="seed"/> stands for: the same seed always gives the same schedule.</summary>
    public Schedule FromSeed(int seed) =>
        new(seed, Step().ArrayOf(_options.StepCount).Sample(1, new Rnd((ulong)(uint)seed, 0x9E3779B97F4A7C15UL), 30)[0]);

    /// <summary>An FsCheck arbitrary of schedules that shrinks by removing steps.</summary>
    public Arbitrary<Schedule> Arbitrary() => Arb.From(Schedule(), Shrink);

    /// <summary>Smaller schedules: halves, quarters, ... and single steps removed (the seed is kept).</summary>
    public static IEnumerable<Schedule> Shrink(Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var steps = schedule.Steps;
        for (var size = steps.Count / 2; size >= 1; size /= 2)
        {
            for (var start = 0; start + size <= steps.Count; start += size)
            {
                yield return schedule with { Steps = [.. steps.Take(start), .. steps.Skip(start + size)] };
            }
        }
    }

    /// <summary>One step, by the weights of <see cref="SimulationOptions.Mix"/>.</summary>
    public Gen<SimStep> Step()
    {
        var mix = _options.Mix;
        var replica = Gen.Choose(0, _options.ReplicaCount - 1);
        var choices = new List<(int, Gen<SimStep>)>
        {
            (mix.Create, Local(LocalOperationKind.Create)),
            (mix.Update, Local(LocalOperationKind.Update)),
            (mix.Action, Local(LocalOperationKind.Action)),
            (mix.Delete, Local(LocalOperationKind.Delete)),
            (mix.Resolve, from r in replica from retry in Gen.Elements(true, true, false) select (SimStep)new ResolveStep(r, retry)),
            (mix.Sync, replica.Select(r => (SimStep)new SyncStep(r))),
            (mix.Partition, from r in replica from cut in Gen.Elements(true, false) select (SimStep)new PartitionStep(r, cut)),
            (mix.NetworkFault, from r in replica from f in Gen.Elements(NetworkFault.DropRequest, NetworkFault.DropResponse, NetworkFault.DropResponse, NetworkFault.Duplicate, NetworkFault.Delay) from call in Gen.Elements(NetworkCall.Push, NetworkCall.Push, NetworkCall.Pull, NetworkCall.Any) select (SimStep)new NetworkFaultStep(r, f, call)),
            (mix.DeliverDelayed, Gen.Choose(0, 7).Select(i => (SimStep)new DeliverDelayedStep(i))),
            (mix.CrashReplica, from r in replica from p in Gen.Elements(ReplicaCrashPoint.Now, ReplicaCrashPoint.MidPush, ReplicaCrashPoint.MidPush, ReplicaCrashPoint.RecordingOutcomes, ReplicaCrashPoint.ApplyingPull) select (SimStep)new CrashReplicaStep(r, p)),
            (mix.CrashRelay, Gen.Elements(RelayCrashPoint.Now, RelayCrashPoint.BeforeCommit, RelayCrashPoint.AfterCommit).Select(p => (SimStep)new CrashRelayStep(p))),
            (mix.Clock, from r in replica from offset in Gen.Elements(0L, -90_000L, 1_500L, 45_000L, -2_000L, 420_000L, 900_000L) select (SimStep)new ClockStep(r, offset)),
            (mix.AdvanceTime, Gen.Elements(10, 200, 1_000, 30_000).Select(ms => (SimStep)new AdvanceTimeStep(ms))),
            (mix.CompactLog, Gen.Elements(50, 100).Select(percent => (SimStep)new CompactLogStep(percent))),
        };
        if (_options.ReplicaCount > 1)
        {
            var pair = from r in replica from offset in Gen.Choose(1, _options.ReplicaCount - 1) select (r, (r + offset) % _options.ReplicaCount);
            choices.Add((mix.PeerSync, pair.Select(p => (SimStep)new PeerSyncStep(p.Item1, p.Item2))));
            choices.Add((mix.PeerPartition, from p in pair from cut in Gen.Elements(true, false) select (SimStep)new PeerPartitionStep(p.Item1, p.Item2, cut)));
        }

        if (_roles.Length > 0 && _options.Users.Count > 0)
        {
            choices.Add((mix.Grant, from u in Gen.Choose(0, _options.Users.Count - 1) from role in Gen.Elements(_roles) from granted in Gen.Elements(true, false)
                                    select (SimStep)new RoleStep(u, role, granted)));
        }

        return Gen.Frequency(choices.Where(c => c.Item1 > 0).ToArray());
    }

    private Gen<SimStep> Local(LocalOperationKind kind)
    {
        var collections = _configuration.Collections.Values.OrderBy(c => c.Name.Text, StringComparer.Ordinal).ToArray();
        if (kind == LocalOperationKind.Action)
        {
            collections = [.. collections.Where(c => c.Actions.Count > 0)];
            if (collections.Length == 0)
            {
                kind = LocalOperationKind.Update;
                collections = [.. _configuration.Collections.Values.OrderBy(c => c.Name.Text, StringComparer.Ordinal)];
            }
        }

        return from replica in Gen.Choose(0, _options.ReplicaCount - 1)
               from collection in Gen.Elements(collections)
               from slot in Gen.Choose(0, Math.Max(0, _options.RecordSlots - 1))
               from action in kind == LocalOperationKind.Action
                   ? Gen.Elements(collection.Actions.Keys.OrderBy(a => a.Text, StringComparer.Ordinal).ToArray()).Select(a => (ActionName?)a)
                   : Gen.Constant((ActionName?)null)
               from fields in kind switch
               {
                   LocalOperationKind.Create => Fields(collection.Name, collection.Fields.Values, create: true),
                   LocalOperationKind.Update => Fields(collection.Name, collection.Fields.Values, create: false),
                   LocalOperationKind.Action => Fields(collection.Name, collection.Actions[action!.Value].Arguments.Values, create: true),
                   _ => Gen.Constant<IReadOnlyList<KeyValuePair<string, Value>>>([]),
               }
               select (SimStep)new LocalOperationStep(replica, kind, collection.Name.Text, slot, action?.Text, fields);
    }

    private Gen<IReadOnlyList<KeyValuePair<string, Value>>> Fields(CollectionName collection, IEnumerable<FieldSchema> schemas, bool create)
    {
        var writable = schemas.Where(f => f.Policy != FieldPolicy.Guarded).OrderBy(f => f.Name.Text, StringComparer.Ordinal).ToArray();
        if (writable.Length == 0)
        {
            return Gen.Constant<IReadOnlyList<KeyValuePair<string, Value>>>([]);
        }

        var required = create ? writable.Where(f => f.Required).ToArray() : [];
        var optional = writable.Where(f => !required.Contains(f)).ToArray();
        return from picked in optional.Length == 0 ? Gen.Constant(new List<FieldSchema>()) : Gen.SubListOf(optional)
               let chosen = required.Concat(picked.Take(create ? 3 : 2)).ToArray()
               let fallback = chosen.Length == 0 && !create ? writable.Take(1).ToArray() : chosen
               from values in Gen.CollectToArray(fallback, f => _filterFields.Contains((collection, f.Name)) ? UserNameOf() : ValueOf(f))
               select (IReadOnlyList<KeyValuePair<string, Value>>)fallback.Zip(values, (f, v) => new KeyValuePair<string, Value>(f.Name.Text, v)).ToArray();
    }

    /// <summary>A value for a field some role filters on (<c>field = $user</c>): mostly a user's name, so records move in and out of filters.</summary>
    private Gen<Value> UserNameOf() =>
        Gen.Elements([.. _options.Users.Select(u => u.Name), "nobody"]).Select(Value.String);

    /// <summary>A valid value for a field (the smallest of its pool), for required fields a user must fill in.</summary>
    public static Value DefaultValue(FieldSchema field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Type switch
        {
            FieldType.String => Value.String("a"),
            FieldType.Int64 => Value.Int64((long)Math.Max(field.Min ?? 0, 0)),
            FieldType.Float64 => Value.Float64(Math.Max(field.Min ?? 0, 0)),
            FieldType.Bool => Value.Bool(false),
            FieldType.Timestamp => Value.Timestamp(TimestampBase),
            FieldType.Bytes => Value.Bytes([]),
            _ => Value.Int64(0),
        };
    }

    /// <summary>A value for a field: mostly valid and from a small pool (so concurrent writes often collide), now and then out of range.</summary>
    public static Gen<Value> ValueOf(FieldSchema field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var valid = field.Type switch
        {
            FieldType.String => Gen.Elements("a", "b", "c", "ana", "zed").Select(Value.String),
            FieldType.Int64 => Gen.Choose((int)Math.Max(field.Min ?? -3, -1000), (int)Math.Min(field.Max ?? 3, 1000)).Select(i => Value.Int64(i)),
            FieldType.Float64 => Gen.Choose(0, 8).Select(i => Value.Float64(Math.Clamp(i / 2.0, field.Min ?? double.MinValue, field.Max ?? double.MaxValue))),
            FieldType.Bool => Gen.Elements(true, false).Select(Value.Bool),
            FieldType.Timestamp => Gen.Choose(0, 5).Select(i => Value.Timestamp(TimestampBase.AddMinutes(i))),
            FieldType.Bytes => Gen.Choose(0, 3).Select(i => Value.Bytes(new byte[i])),
            _ => Gen.Choose(0, 3).Select(i => Value.Int64(i)),
        };
        var invalid = field.Type switch
        {
            FieldType.String when field.MaxLength is { } max => Gen.Constant(Value.String(new string('x', max + 1))),
            FieldType.Int64 when field.Max is { } max => Gen.Constant(Value.Int64((long)max + 1)),
            _ when field.Required => Gen.Constant(Value.Null),
            _ => valid,
        };
        return Gen.Frequency((19, valid), (1, invalid));
    }
}
