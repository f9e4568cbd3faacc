using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Storage;

/// <summary>
/// Online backups of the embedded SQLite database, one at a time: each a new file in
/// <see cref="StorageOptions.BackupPath"/>, named <c>entitlements-&lt;UTC start&gt;.db</c>. The copy is written
/// under a <c>.partial</c> name, synced to disk, and only then given its name, so a file with the final
/// name is always whole, and the directory is synced after the rename so that the name lasts too; a failed copy
/// leaves nothing behind, SQLite's journal of the copy included. After each backup the oldest beyond
/// <see cref="StorageOptions.BackupsKept"/> are deleted (none when it is 0): only files named as this class
/// names them, ordered by the time in their names, and never the one just taken. A <c>.partial</c> file (and
/// its <c>-journal</c>, <c>-wal</c> or <c>-shm</c>) that a process stopped in the middle of a backup left is
/// deleted when the next backup starts. The copy taken
/// before a schema migration (<see cref="PreUpgradeName"/>) is written the same way, under a name
/// that is not a backup's.
/// </summary>
public sealed partial class LedgerBackups(SqliteLedgerStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<LedgerBackups> logger)
{
    public const string PartialSuffix = ".partial";

    /// <summary>A file itself, and the files SQLite makes beside a database it writes.</summary>
    private static readonly string[] SqliteSuffixes = ["", "-journal", "-wal", "-shm"];

    private int _running;

    /// <summary>Test seam: called with a backup's <c>.partial</c> copy once the database is copied into it and synced, before it is named.</summary>
    internal Action<string>? TestHookCopied { get; set; }

    /// <summary>Take a backup now; null when another is still being taken.</summary>
    public async Task<LedgerBackup?> TryBackUpAsync()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            return null;
        }

        try
        {
            var directory = options.Value.BackupPath;
            Directory.CreateDirectory(directory);

            // A copy a stopped process left half written is of no use to anyone, nor are SQLite's files of it:
            // one backup runs at a time.
            foreach (var stale in Directory.GetFiles(directory, "entitlements-*.db" + PartialSuffix + "*")
                .Where(file => SqliteSuffixes.Any(suffix => file.EndsWith(".db" + PartialSuffix + suffix, StringComparison.Ordinal))))
            {
                File.Delete(stale);
            }

            var startedAt = time.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            var path = FreeName(directory, "entitlements-", startedAt);
            var lastSequence = await CopyWholeAsync(store, path, TestHookCopied).ConfigureAwait(false);
            var backup = new LedgerBackup(path, new FileInfo(path).Length, lastSequence, startedAt, Stopwatch.GetElapsedTime(started));
            LogTaken(logger, path, backup.Bytes, backup.LastSequence, (long)backup.Duration.TotalMilliseconds);
            RemoveOld(directory, path);
            return backup;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// The backups in <paramref name="directory"/>, oldest first by the time in their names (a name's
    /// <c>-2</c>, <c>-3</c>... after it); other files, the one being written included, are not backups.
    /// </summary>
    public static IReadOnlyList<string> List(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory, "entitlements-*.db")
                .Select(path => (Path: path, Match: BackupName().Match(Path.GetFileName(path))))
                .Where(file => file.Match.Success)
                .OrderBy(file => file.Match.Groups["time"].Value, StringComparer.Ordinal)
                .ThenBy(file => file.Match.Groups["n"].Success ? int.Parse(file.Match.Groups["n"].Value, CultureInfo.InvariantCulture) : 1)
                .Select(file => file.Path)]
            : [];

    /// <summary>
    /// Where the copy of the database taken before its schema is migrated from <paramref name="version"/> goes:
    /// <c>entitlements-pre-v&lt;version&gt;-&lt;UTC time&gt;.db</c> in <paramref name="directory"/>. It is no backup
    /// by <see cref="List"/>'s names, so retention never deletes it.
    /// </summary>
    internal static string PreUpgradeName(string directory, long version, DateTimeOffset now) =>
        FreeName(directory, string.Create(CultureInfo.InvariantCulture, $"entitlements-pre-v{version}-"), now);

    /// <summary>Copy the database to <paramref name="path"/> as a backup is written: whole or not at all, owner-only.</summary>
    internal static async Task CopyAsync(SqliteLedgerStore store, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await CopyWholeAsync(store, path, copied: null).ConfigureAwait(false);
    }

    /// <summary>
    /// Copy the database to <paramref name="path"/> under a <c>.partial</c> name, sync it to disk, and only then
    /// give it its name; a failed copy leaves nothing behind. Returns the newest ledger sequence it holds.
    /// </summary>
    private static async Task<long> CopyWholeAsync(SqliteLedgerStore store, string path, Action<string>? copied)
    {
        var partial = path + PartialSuffix;
        try
        {
            OwnerOnlyFiles.CreateEmpty(partial); // the copy goes into it and keeps its mode
            var lastSequence = await store.CopyToAsync(partial).ConfigureAwait(false);
            using (var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Flush(flushToDisk: true);
            }

            copied?.Invoke(partial);
            File.Move(partial, path);
            DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
            return lastSequence;
        }
        catch
        {
            foreach (var file in PartialFiles(partial))
            {
                File.Delete(file);
            }

            throw;
        }
    }

    /// <summary>The <c>.partial</c> copy and the files SQLite may make beside it while writing it (journal, WAL, shared memory).</summary>
    private static IEnumerable<string> PartialFiles(string partial) => SqliteSuffixes.Select(suffix => partial + suffix);

    /// <summary><c>&lt;prefix&gt;20261207T010203123Z.db</c>, with <c>-2</c>, <c>-3</c>... if that name is taken.</summary>
    private static string FreeName(string directory, string prefix, DateTimeOffset startedAt)
    {
        var stem = prefix + startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, stem + ".db");
        for (var i = 2; File.Exists(path); i++)
        {
            path = Path.Combine(directory, $"{stem}-{i}.db");
        }

        return path;
    }

    /// <summary>
    /// Deletes the oldest backups beyond <see cref="StorageOptions.BackupsKept"/>, never <paramref name="taken"/>
    /// (after the clock was set back it sorts before older ones). A failure here is logged: the backup stands.
    /// </summary>
    private void RemoveOld(string directory, string taken)
    {
        var kept = options.Value.BackupsKept;
        if (kept <= 0)
        {
            return;
        }

        try
        {
            var others = List(directory).Where(path => !string.Equals(path, taken, StringComparison.Ordinal)).ToList();
            foreach (var old in others.Take(Math.Max(0, others.Count - (kept - 1))))
            {
                File.Delete(old);
                LogRemoved(logger, old);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The new backup is whole and named: what could not go now goes after a later backup.
            LogRemoveFailed(logger, exception, directory);
        }
    }

    [GeneratedRegex(@"^entitlements-(?<time>\d{8}T\d{9}Z)(?:-(?<n>\d{1,9}))?\.db$", RegexOptions.CultureInvariant)]
    private static partial Regex BackupName();
}
