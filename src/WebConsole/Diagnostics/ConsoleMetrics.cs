using System.Diagnostics.Metrics;

namespace CrdtSync.WebConsole.Diagnostics;

/// <summary>The console's instruments, on the meter <c>CrdtSync.WebConsole</c>.</summary>
public static class ConsoleMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CrdtSync.WebConsole";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Requests refused by the security checks, tagged with <c>reason</c> (<c>host</c>, <c>origin</c>, <c>fetch_site</c>, <c>token</c>).</summary>
    public static readonly Counter<long> RefusedRequests = Meter.CreateCounter<long>("console.refused_requests", description: "Requests refused by the host, origin or anti-forgery checks.");

    /// <summary>Changes made through the console (create, edit, action, delete, resolve, discard, offline, sync).</summary>
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("console.commands", description: "State-changing calls carried out.");

    /// <summary>Open server-sent event streams.</summary>
    public static readonly UpDownCounter<long> EventStreams = Meter.CreateUpDownCounter<long>("console.event_streams", description: "Open live-update streams.");
}
