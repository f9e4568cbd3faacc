namespace Entitlements.Storage;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>The <see cref="Provider"/> of the embedded default: one SQLite file.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>The <see cref="Provider"/> of a cluster: a PostgreSQL database shared by every silo.</summary>
    public const string PostgreSql = "PostgreSql";

    /// <summary><see cref="Sqlite"/> (the default) or <see cref="PostgreSql"/>; case is ignored.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The Npgsql connection string, required with <see cref="PostgreSql"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long a starting silo waits for an unreachable store (a database that is not up yet, e.g. started
    /// beside it by docker compose), retrying every <see cref="StartupRetrySeconds"/>, before it gives up
    /// and stops with the last error. 0 gives up at the first failure.
    /// </summary>
    public int StartupWaitSeconds { get; set; } = 60;

    /// <summary>The pause between two start-up attempts while the store is unreachable.</summary>
    public int StartupRetrySeconds { get; set; } = 2;

    /// <summary>Where the SQLite database file lives. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile { get; set; } = "entitlements.db";

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));

    /// <summary>
    /// Where <c>POST /ops/v1/backups</c> writes the SQLite copies; empty (the default) for <c>backups</c> inside
    /// <see cref="DataDirectory"/>. Relative paths are taken from the working directory.
    /// </summary>
    public string BackupDirectory { get; set; } = string.Empty;

    /// <summary>How often the embedded SQLite database is backed up by itself, as by <c>POST /ops/v1/backups</c>; zero (the default) never.</summary>
    public TimeSpan BackupInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How many backups <see cref="BackupPath"/> keeps: after each backup, scheduled or asked for, the oldest
    /// beyond this many are deleted. Zero (the default) keeps them all.
    /// </summary>
    public int BackupsKept { get; set; }

    /// <summary>
    /// Whether a SQLite database whose schema is older than this build's is copied into <see cref="BackupPath"/>
    /// before it is migrated (<c>entitlements-pre-v&lt;version&gt;-&lt;UTC time&gt;.db</c>); true by default. A copy
    /// that fails stops the start before anything is migrated.
    /// </summary>
    public bool BackupBeforeUpgrade { get; set; } = true;

    public string BackupPath => Path.GetFullPath(string.IsNullOrWhiteSpace(BackupDirectory) ? Path.Combine(DataDirectory, "backups") : BackupDirectory);
}
