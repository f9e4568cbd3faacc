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

    /// <summary>Where the SQLite database file lives. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile { get; set; } = "entitlements.db";

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));
}
