using System.Diagnostics.Metrics;
using CrdtSync.Crdt.Schema;

namespace CrdtSync.Relay.Authority;

/// <summary>
/// The relay's instruments (meter <c>CrdtSync.Relay</c>): pushes, changes by outcome, compensations, live subscribers, log length.
/// </summary>
internal sealed class RelayMetrics
{
    /// <summary>The meter name to listen to.</summary>
    public const string MeterName = "CrdtSync.Relay";

    private readonly Counter<long> _pushes;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _compensations;
    private readonly UpDownCounter<long> _subscribers;
    private long _logLength;

    public RelayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _pushes = meter.CreateCounter<long>("crdtsync.relay.pushes", "{call}", "Push calls handled.");
        _outcomes = meter.CreateCounter<long>("crdtsync.relay.outcomes", "{change}", "Pushed changes by outcome kind.");
        _compensations = meter.CreateCounter<long>("crdtsync.relay.compensations", "{change}", "Compensating changes committed for refused upserts.");
        _subscribers = meter.CreateUpDownCounter<long>("crdtsync.relay.subscribers", "{stream}", "Live Subscribe streams.");
        meter.CreateObservableGauge("crdtsync.relay.log_length", () => Interlocked.Read(ref _logLength), "{entry}", "Entries in the log.");
    }

    public void Push() => _pushes.Add(1);

    public void Outcome(OutcomeKind kind, bool repeated) =>
        _outcomes.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()), new KeyValuePair<string, object?>("repeated", repeated));

    public void Compensations(int count)
    {
        if (count > 0)
        {
            _compensations.Add(count);
        }
    }

    public void SubscriberStarted() => _subscribers.Add(1);

    public void SubscriberEnded() => _subscribers.Add(-1);

    public void LogLength(long length) => Interlocked.Exchange(ref _logLength, length);

    public void LogAppended(long count) => Interlocked.Add(ref _logLength, count);
}
