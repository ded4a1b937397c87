using Microsoft.Playwright;

namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>Saves named screenshots into <c>$CRDTSYNC_SCREENSHOTS</c> (default <c>artifacts/screenshots</c> at the repository root).</summary>
public static class Screenshots
{
    /// <summary>The folder screenshots are written to; created on first use.</summary>
    public static string Directory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("CRDTSYNC_SCREENSHOTS");
            return Path.GetFullPath(configured is { Length: > 0 } ? configured : Path.Combine(RepositoryRoot(), "artifacts", "screenshots"));
        }
    }

    /// <summary>Saves a full-page screenshot as <c>name.png</c> and returns its path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"'{name}' is not a file name.", nameof(name));
        }

        var folder = Directory;
        System.IO.Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CrdtSync.sln")))
            {
                return folder.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
