using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CrdtSync.Protocol.V1;
using CrdtSync.Relay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static CrdtSync.Relay.Tests.Support.TestDevice;

namespace CrdtSync.Relay.Tests.Integration;

/// <summary>The relay's meter (<c>CrdtSync.Relay</c>) reports pushes, outcomes by kind and the log length.</summary>
public abstract class MetricsTests(TestRelay relay)
{
    [Fact]
    public async Task Pushes_outcomes_by_kind_and_the_log_length_are_reported_on_the_relays_meter()
    {
        var factory = relay.Host.Services.GetRequiredService<IMeterFactory>();
        var sums = new ConcurrentDictionary<string, long>();
        long logLength = -1;
        using var listener = new MeterListener
        {
            // Only this relay's instruments: its meters are made by its own IMeterFactory.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "CrdtSync.Relay" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "crdtsync.relay.log_length")
            {
                Interlocked.Exchange(ref logLength, value);
                return;
            }

            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        listener.Start();

        var alice = await relay.DeviceAsync("metrics-alice", "agent");
        var create = alice.Create("incidents", "m-1", F("title", "Pump down"));
        await alice.PushAsync(create);
        await alice.PushAsync(create);
        await alice.PushAsync(alice.Create("incidents", "m-2", F("priority", 3L)));
        listener.RecordObservableInstruments();
        var info = await relay.LogInfoAsync();

        Assert.True(sums.GetValueOrDefault("crdtsync.relay.pushes") >= 3, string.Join(", ", sums));
        Assert.Equal(1, sums.GetValueOrDefault("crdtsync.relay.outcomes|kind=Accepted|repeated=False"));
        Assert.Equal(1, sums.GetValueOrDefault("crdtsync.relay.outcomes|kind=Accepted|repeated=True"));
        Assert.Equal(1, sums.GetValueOrDefault("crdtsync.relay.outcomes|kind=Invalid|repeated=False"));
        Assert.Equal(info.LogLength, logLength);
    }
}

public sealed class MetricsTestsOnSqlite(SqliteRelay relay) : MetricsTests(relay), IClassFixture<SqliteRelay>;

public sealed class MetricsTestsOnPostgres(PostgresRelay relay) : MetricsTests(relay), IClassFixture<PostgresRelay>;
