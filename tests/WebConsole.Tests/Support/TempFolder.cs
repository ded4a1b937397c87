namespace CrdtSync.WebConsole.Tests.Support;

/// <summary>Temp folders of the tests, removed afterwards (a leftover is harmless).</summary>
public static class TempFolder
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "crdtsync-webconsole", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
