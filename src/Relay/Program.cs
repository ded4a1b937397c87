using CrdtSync.Relay.Configuration;
using CrdtSync.Relay.Hosting;

// dotnet run --project src/Relay [--urls http://127.0.0.1:5290] [--data crdtsync-data] [--config samples/incidents.json]
//                                [--admin-credential <secret>] [--allow-insecure-remote true]
//                                [--console true] [--console-url http://127.0.0.1:5291]
//                                [--store sqlite|postgres] [--postgres "Host=...;Database=...;Username=...;Password=..."]
var switches = new Dictionary<string, string>
{
    ["--urls"] = "Relay:Urls",
    ["--data"] = "Relay:DataDirectory",
    ["--config"] = "Relay:ConfigurationPath",
    ["--admin-credential"] = "Relay:AdminCredential",
    ["--allow-insecure-remote"] = "Relay:AllowInsecureRemote",
    ["--store"] = "Relay:Store",
    ["--postgres"] = "Relay:PostgresConnectionString",
    ["--console"] = "Relay:Console",
    ["--console-url"] = "Relay:ConsoleUrl",
};
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables("CRDTSYNC_")
    .AddCommandLine(args, switches)
    .Build();
var options = new RelayOptions();
configuration.GetSection(RelayOptions.SectionName).Bind(options);

await using var relay = await RelayHost.StartAsync(options, builder =>
{
    builder.Configuration.AddConfiguration(configuration);
});
foreach (var address in relay.Addresses)
{
    Console.WriteLine($"CrdtSync relay listening on {address}");
}

if (relay.ConsoleAddress is { } consoleAddress)
{
    Console.WriteLine($"Relay console on {consoleAddress} (sign in with the admin credential)");
}

var lifetime = relay.Services.GetRequiredService<IHostApplicationLifetime>();
var stopped = new TaskCompletionSource();
lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
await stopped.Task;
