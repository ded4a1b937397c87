namespace CrdtSync.Peers.Tests.Discovery;

/// <summary>Waits for a condition that background work makes true; the bound only keeps a broken build from hanging the run.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int secondsMax = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(secondsMax);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Never happened: {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, int secondsMax = 30) =>
        HoldsAsync(() => Task.FromResult(condition()), what, secondsMax);
}
