using Microsoft.Extensions.Time.Testing;

namespace CrdtSync.Replica.Tests.Support;

/// <summary>A replica on a real SQLite file in a temp folder, with a fake clock and a seeded random source; configured with the sample incidents app.</summary>
internal sealed class ReplicaFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    private ReplicaFixture(int seed)
    {
        Time = new FakeTimeProvider(Samples.Start);
        Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        Seed = seed;
        Store = Open();
    }

    public FakeTimeProvider Time { get; }

    public int Seed { get; }

    public ReplicaStore Store { get; private set; }

    public string DatabasePath => _folder.File("replica.db");

    public static async Task<ReplicaFixture> CreateAsync(string user = "ana", string[]? roles = null, bool connected = true, int seed = 1)
    {
        var fixture = new ReplicaFixture(seed);
        await fixture.Store.ConfigureAsync(Samples.IncidentsJson, user, roles ?? ["lead"]);
        fixture.SetConnected(connected);
        return fixture;
    }

    public bool Connected { get; private set; }

    public void SetConnected(bool connected)
    {
        Connected = connected;
        Store.SetConnected(connected);
    }

    public ReplicaStore Reopen()
    {
        Store.Dispose();
        Store = Open();
        Store.SetConnected(Connected);
        return Store;
    }

    private ReplicaStore Open() => ReplicaStore.Open(new ReplicaOptions { DatabasePath = DatabasePath }, Time, new Random(Seed));

    public void Dispose()
    {
        Store.Dispose();
        _folder.Dispose();
    }
}
