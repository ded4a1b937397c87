using CrdtSync.Replica.Outbox;

namespace CrdtSync.Cli.Rendering;

/// <summary>The colours people know from the field apps: pending green, conflict orange, error red.</summary>
internal static class StatusColors
{
    public static string Of(RecordStatus status) => status switch
    {
        RecordStatus.Pending => "green",
        RecordStatus.Conflict => "orange1",
        RecordStatus.Error => "red",
        _ => "grey",
    };

    public static string Of(EntryStatus status) => status switch
    {
        EntryStatus.Queued or EntryStatus.InFlight => "green",
        EntryStatus.Conflict or EntryStatus.Invalid or EntryStatus.ClockSkew => "orange1",
        _ => "red",
    };

    public static string Label(RecordStatus status) => status.ToString().ToLowerInvariant();

    public static string Label(EntryStatus status) => status switch
    {
        EntryStatus.Queued => "pending",
        EntryStatus.InFlight => "pending (sent)",
        EntryStatus.ClockSkew => "clock-skew",
        _ => status.ToString().ToLowerInvariant(),
    };
}
