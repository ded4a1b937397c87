using CrdtSync.Crdt.Clocks;
using CrdtSync.Crdt.Schema;
using CrdtSync.Relay.Storage;
using CrdtSync.Relay.Storage.Postgres;
using CrdtSync.Relay.Storage.Sqlite;
using CrdtSync.Relay.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.FSharp.Core;
using Xunit;
using Xunit.Abstractions;

namespace CrdtSync.Relay.Tests.WebConsole;

/// <summary>
/// The laws of what the console records: the device-activity merge is commutative, associative and idempotent, and a
/// store that saves notes in any batches and order holds their merge; outcome tallies add up per minute and kind.
/// Seeded: the seed is printed, and <c>CRDTSYNC_PROPERTY_REPLAY=seed,gamma</c> replays it (cases: <c>CRDTSYNC_PROPERTY_CASES</c>).
/// </summary>
public abstract class DeviceActivityProperties(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ReplicaId Device = ReplicaId.Parse("0000000000000001000000000000000a");
    private static long _nextDevice = 0x100;

    /// <summary>Small ranges, so equal times and cursors (ties) are common.</summary>
    private static readonly Gen<DeviceActivity> Notes =
        from handshake in Gen.Choose(-1, 3)
        from cursor in Gen.Choose(-1, 5)
        from cursorAt in Gen.Choose(0, 3)
        select new DeviceActivity(
            Device,
            handshake < 0 ? null : Start.AddMilliseconds(handshake),
            cursor < 0 ? null : cursor,
            cursor < 0 ? null : Start.AddMilliseconds(cursorAt));

    /// <summary>Tallies in the first three minutes after <see cref="Start"/>.</summary>
    private static readonly Gen<OutcomeTally> Tallies =
        from minute in Gen.Choose(0, 2)
        from kind in Gen.Elements(Enum.GetValues<OutcomeKind>())
        from count in Gen.Choose(1, 4)
        select new OutcomeTally(Start.AddMinutes(minute), kind, count);

    protected abstract IRelayStore Store { get; }

    /// <summary>
    /// Cases of the store properties: each case is a few durable transactions, so they run at most 40 cases
    /// (the pure merge law runs all of <c>CRDTSYNC_PROPERTY_CASES</c>).
    /// </summary>
    protected virtual int Cases => Math.Min(PropertyCases, 40);

    private static int PropertyCases => int.TryParse(Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_CASES"), out var n) && n > 0 ? n : 100;

    [Fact]
    public void Merging_device_activity_is_commutative_associative_and_idempotent() =>
        Run(PropertyCases, Prop.ForAll(Arb.From(Gen.Three(Notes)), notes =>
        {
            var (a, b, c) = notes;
            return a.MergedWith(b) == b.MergedWith(a)
                && a.MergedWith(b).MergedWith(c) == a.MergedWith(b.MergedWith(c))
                && a.MergedWith(a) == a;
        }));

    [Fact]
    public void A_store_holds_the_merge_of_every_saved_note_whatever_the_batches_and_their_order() =>
        Run(Cases, Prop.ForAll(Arb.From(Short(Gen.Zip(Notes, Gen.Choose(0, 2)))), batchedNotes =>
        {
            var device = new ReplicaId(1, (ulong)Interlocked.Increment(ref _nextDevice));
            var notes = batchedNotes.Select(n => (Note: n.Item1 with { ReplicaId = device }, Batch: n.Item2)).ToArray();
            var expected = notes.Select(n => n.Note).Aggregate((left, right) => left.MergedWith(right));
            var saved = Task.Run(async () =>
            {
                await Store.AddDeviceAsync(new DeviceRegistration(device, "prop", "prop", device.ToByteArray(), Start), CancellationToken.None);
                foreach (var batch in notes.GroupBy(n => n.Batch).OrderByDescending(g => g.Key))
                {
                    await Store.SaveDeviceActivityAsync(batch.Select(n => n.Note).ToArray(), CancellationToken.None);
                }

                return (await Store.ListDevicesAsync(CancellationToken.None)).Single(d => d.ReplicaId == device);
            }).GetAwaiter().GetResult();
            return saved.LastHandshakeAt == expected.LastHandshakeAt && saved.Cursor == expected.Cursor && saved.CursorAt == expected.CursorAt;
        }));

    [Fact]
    public void Outcome_tallies_add_up_per_minute_and_kind_whatever_the_batches() =>
        Run(Cases, Prop.ForAll(Arb.From(Short(Gen.Zip(Tallies, Gen.Choose(0, 2)))), tallies =>
        {
            var hour = Start.AddHours(Interlocked.Increment(ref _nextDevice));
            var rows = tallies.Select(t => (Tally: t.Item1 with { Minute = hour + (t.Item1.Minute - Start) }, Batch: t.Item2)).ToArray();
            var read = Task.Run(async () =>
            {
                foreach (var batch in rows.GroupBy(r => r.Batch).OrderByDescending(g => g.Key))
                {
                    await Store.AddOutcomeTalliesAsync(batch.Select(r => r.Tally).ToArray(), hour.AddDays(-400), CancellationToken.None);
                }

                return await Store.ReadOutcomeTalliesAsync(hour, CancellationToken.None);
            }).GetAwaiter().GetResult();
            var expected = rows.Select(r => r.Tally).GroupBy(r => (r.Minute, r.Kind)).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
            return read.Where(r => r.Minute < hour.AddHours(1)).ToDictionary(r => (r.Minute, r.Kind), r => r.Count)
                .OrderBy(p => p.Key).SequenceEqual(expected.OrderBy(p => p.Key));
        }));

    /// <summary>Found by the tally property on PostgreSQL (seed 8086663568005156406,3730212692211305307): one upsert statement may not touch a row twice.</summary>
    [Fact]
    public async Task A_batch_naming_the_same_minute_and_kind_twice_adds_both_counts()
    {
        var minute = Start.AddYears(1);
        OutcomeTally[] batch = [new(minute, OutcomeKind.Conflict, 1), new(minute, OutcomeKind.ClockSkew, 1), new(minute, OutcomeKind.Conflict, 2)];

        await Store.AddOutcomeTalliesAsync(batch, minute.AddDays(-1), CancellationToken.None);

        var read = await Store.ReadOutcomeTalliesAsync(minute, CancellationToken.None);
        Assert.Equal([new OutcomeTally(minute, OutcomeKind.Conflict, 3), new OutcomeTally(minute, OutcomeKind.ClockSkew, 1)], read);
    }

    /// <summary>Lists of 1 to 6 items: enough to interleave batches, few enough transactions per case.</summary>
    private static Gen<T[]> Short<T>(Gen<T> items) => Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(items, n));

    private void Run(int cases, Property property)
    {
        var (seed, gamma) = ReplaySeed();
        output.WriteLine($"cases={cases} replay: CRDTSYNC_PROPERTY_REPLAY={seed},{gamma}");
        var config = Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed, gamma), FSharpOption<int>.None)));
        try
        {
            Check.One(config, property);
        }
        catch (Exception error)
        {
            throw new Xunit.Sdk.XunitException($"Replay with CRDTSYNC_PROPERTY_REPLAY={seed},{gamma} CRDTSYNC_PROPERTY_CASES={cases}.{Environment.NewLine}{error.Message}");
        }
    }

    private static (ulong Seed, ulong Gamma) ReplaySeed()
    {
        if (Environment.GetEnvironmentVariable("CRDTSYNC_PROPERTY_REPLAY")?.Split(',') is [var seed, var gamma])
        {
            return (ulong.Parse(seed, System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(gamma, System.Globalization.CultureInfo.InvariantCulture) | 1);
        }

        var random = new Random();
        return ((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1);
    }
}

/// <summary>The laws on the SQLite store (a real file).</summary>
public sealed class DeviceActivityPropertiesOnSqlite : DeviceActivityProperties, IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "crdtsync-console-props", Guid.NewGuid().ToString("N"));
    private readonly SqliteRelayStore _store;

    public DeviceActivityPropertiesOnSqlite(ITestOutputHelper output)
        : base(output)
    {
        Directory.CreateDirectory(_folder);
        _store = new SqliteRelayStore(Path.Combine(_folder, "relay.db"));
    }

    protected override IRelayStore Store => _store;

    public async Task InitializeAsync() => await _store.InitializeAsync(() => new ReplicaId(9, 9), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The laws on the PostgreSQL store (a fresh database; at most 20 cases of the store properties).</summary>
public sealed class DeviceActivityPropertiesOnPostgres(ITestOutputHelper output) : DeviceActivityProperties(output), IAsyncLifetime
{
    private PostgresRelayStore? _store;
    private string? _database;

    protected override IRelayStore Store => _store!;

    protected override int Cases => Math.Min(base.Cases, 20);

    public async Task InitializeAsync()
    {
        _database = await PostgresTestServer.CreateDatabaseAsync();
        _store = new PostgresRelayStore(Microsoft.Extensions.Options.Options.Create(new PostgresRelayStoreOptions { ConnectionString = _database }), NullLogger<PostgresRelayStore>.Instance);
        await _store.InitializeAsync(() => new ReplicaId(9, 9), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_database is not null)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }
}
