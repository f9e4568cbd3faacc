namespace Entitlements.Storage;

/// <summary>
/// The embedded database and its backups are created readable and writable by the service's own account
/// only (mode 0600), as the development signing key is: they hold every player's ledger, store receipts in
/// <c>platform_data</c>, and the keys of the <c>settings</c> table (the cursor key, the PlayFab session-ticket
/// key, which would let a reader forge a ticket). SQLite creates a database's <c>-wal</c> and <c>-shm</c>
/// files with the database file's mode, so they follow. Directories keep the default mode: the cluster
/// script's state under the data directory must stay reachable by the <c>postgres</c> user.
/// </summary>
public static class OwnerOnlyFiles
{
    /// <summary>Creates <paramref name="path"/> empty and owner-only when it does not exist; an existing file is left as it is.</summary>
    public static void CreateEmpty(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; its creator chose the mode.
        }
    }
}
