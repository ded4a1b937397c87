namespace CrdtSync.Cli.Demo;

/// <summary>
/// The demo's one clock, shared by the relay and both devices: the system clock plus an offset the story can
/// move forward ("eight days later"), so every party sees the same jump and no stamp looks skewed.
/// </summary>
internal sealed class DemoClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
