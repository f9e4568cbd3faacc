namespace Entitlements.Storage;

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary><c>Sqlite</c> (the embedded default). PostgreSQL arrives with cluster mode.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Where the SQLite database file lives. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFile { get; set; } = "entitlements.db";

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));
}
