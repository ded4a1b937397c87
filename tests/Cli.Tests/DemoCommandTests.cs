using Xunit;

namespace CrdtSync.Cli.Tests;

public sealed class DemoCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_demo_plays_all_ten_steps_of_the_story_and_every_check_holds()
    {
        var (exit, output) = await _cli.RunAsync("demo");

        Assert.True(exit == 0, output);
        for (var step = 1; step <= 10; step++)
        {
            Assert.Contains($"Step {step}:", output, StringComparison.Ordinal);
        }

        Assert.Contains("every promise held", output, StringComparison.Ordinal);
        Assert.DoesNotContain("The demo stopped", output, StringComparison.Ordinal);
    }
}
