using System.Diagnostics.Metrics;

namespace CrdtSync.Relay.WebConsole;

/// <summary>The console's instrument (meter <c>CrdtSync.Relay</c>): sign-in attempts by result (<c>signed_in</c>, <c>wrong_credential</c>, <c>limited</c>).</summary>
internal sealed class ConsoleMetrics
{
    private readonly Counter<long> _signIns;

    public ConsoleMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _signIns = meterFactory.Create(Authority.RelayMetrics.MeterName)
            .CreateCounter<long>("crdtsync.relay.console.sign_ins", "{attempt}", "Console sign-in attempts by result.");
    }

    public void SignIn(string result) => _signIns.Add(1, new KeyValuePair<string, object?>("result", result));
}
