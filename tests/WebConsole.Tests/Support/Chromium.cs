using Microsoft.Playwright;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>
/// One headless Chromium for a test collection: Debian's <c>/usr/bin/chromium</c> (or <c>CRDTSYNC_CHROMIUM</c>) driven by
/// Playwright with no browser download. Starting fails the tests that use it when Chromium cannot start; nothing is skipped.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>A phone-sized viewport (CSS pixels).</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>A desktop-sized viewport (CSS pixels).</summary>
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };

    /// <summary>Arguments that keep Chromium quiet and able to run as root in a container.</summary>
    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The Chromium executable: <c>CRDTSYNC_CHROMIUM</c> when set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CRDTSYNC_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The running browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}: run 'apt-get install -y chromium' (as .ci/run does) or set CRDTSYNC_CHROMIUM.");
        }

        // Bounds that only stop a hang: every wait is on page state, never on time.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
    }

    /// <summary>A fresh context (own cookies and storage) and page with the given viewport; dispose the context when done.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null, string? baseUrl = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? Desktop,
            BaseURL = baseUrl,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Test classes in this collection share one <see cref="Chromium"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<Chromium>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Chromium";
}
