using CrdtSync.Relay.Auth;
using CrdtSync.Relay.Configuration;

namespace CrdtSync.Relay.Hosting;

/// <summary>Resolves the admin credential: from the options, else from <c>admin-credential</c> in the data folder, created on first start.</summary>
internal static class AdminCredentialFile
{
    public const string FileName = "admin-credential";

    public static AdminCredential Resolve(RelayOptions options)
    {
        if (!string.IsNullOrEmpty(options.AdminCredential))
        {
            return new AdminCredential(options.AdminCredential, null);
        }

        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (File.Exists(path))
        {
            return new AdminCredential(File.ReadAllText(path).Trim(), path);
        }

        var credential = TokenHasher.NewToken("csa_");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, create))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(credential);
        }

        return new AdminCredential(credential, path);
    }
}
