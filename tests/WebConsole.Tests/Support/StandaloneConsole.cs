namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>Base of tests over one standalone replica (the example configuration, ana as lead) and a client of its console.</summary>
public abstract class StandaloneConsole : IAsyncLifetime
{
    protected ConsoleDevice Device { get; private set; } = null!;

    protected ConsoleClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Device = await ConsoleDevice.StandaloneAsync();
        Client = await ConsoleClient.ConnectAsync(Device.Address);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Device.DisposeAsync();
    }
}
