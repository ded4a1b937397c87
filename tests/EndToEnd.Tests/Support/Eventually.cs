namespace CrdtSync.EndToEnd.Tests.Support;

/// <summary>Waits for a condition that the system reaches by itself (a live page, a reconnect). The bound only stops a hang; nothing is timed.</summary>
public static class Eventually
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var start = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (start.Elapsed > Bound)
            {
                Assert.Fail($"Never happened: {what}.");
            }

            await Task.Delay(20);
        }
    }
}
