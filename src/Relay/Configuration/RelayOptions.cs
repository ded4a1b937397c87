namespace CrdtSync.Relay.Configuration;

/// <summary>
/// How a relay is started (section <c>Relay</c> of appsettings, or command-line switches; see docs/configuration.md).
/// </summary>
public sealed class RelayOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Relay";

    /// <summary>Where to listen, e.g. <c>http://127.0.0.1:5290</c>; port 0 picks a free port. Several separated by ';'.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5290";

    /// <summary>The folder of the relay's SQLite file and its admin credential file (created when missing).</summary>
    public string DataDirectory { get; set; } = "crdtsync-data";

    /// <summary>The sync configuration document (collections, roles, limits). Defaults to the shipped example.</summary>
    public string ConfigurationPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "samples", "incidents.json");

    /// <summary>The configuration document itself; when set, <see cref="ConfigurationPath"/> is not read.</summary>
    public string? ConfigurationJson { get; set; }

    /// <summary>
    /// The admin credential. When null, it is read from <c>admin-credential</c> in <see cref="DataDirectory"/>, which is
    /// created with a random credential on first start (its location is logged).
    /// </summary>
    public string? AdminCredential { get; set; }

    /// <summary>Lets a non-loopback <c>http://</c> address start without TLS. Off by default: tokens would travel in clear.</summary>
    public bool AllowInsecureRemote { get; set; }

    /// <summary>PFX certificate for <c>https://</c> addresses (Kestrel's default development certificate when null).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>How often a live subscriber re-checks its access and the log even when nothing woke it.</summary>
    public TimeSpan SubscriberRecheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFileName { get; set; } = "relay.db";

    /// <summary>Where the relay keeps its state: the embedded SQLite file (default) or a shared PostgreSQL database.</summary>
    public RelayStoreKind Store { get; set; } = RelayStoreKind.Sqlite;

    /// <summary>
    /// The Npgsql connection string of the PostgreSQL database when <see cref="Store"/> is
    /// <see cref="RelayStoreKind.Postgres"/>, e.g. <c>Host=db;Database=crdtsync;Username=relay;Password=...</c>.
    /// Every relay instance of one data set names the same database (docs/postgres.md).
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// Serves the relay console (a web page for operators: devices, outcomes, conflict journals, grants) on
    /// <see cref="ConsoleUrl"/>. Off by default. Signing in takes the admin credential (docs/relay.md, "Relay console").
    /// </summary>
    public bool Console { get; set; }

    /// <summary>
    /// Where the console listens when <see cref="Console"/> is on: one <c>http://</c> or <c>https://</c> address of its
    /// own (HTTP/1.1; the sync endpoint stays HTTP/2). Port 0 picks a free port. A non-loopback <c>http://</c> address
    /// needs <see cref="AllowInsecureRemote"/>, as for <see cref="Urls"/>.
    /// </summary>
    public string ConsoleUrl { get; set; } = "http://127.0.0.1:5291";
}
