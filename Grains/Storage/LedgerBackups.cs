using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Entitlements.Storage;

/// <summary>A finished backup: the file, its size, the newest ledger sequence it holds, and when it was taken.</summary>
public sealed record LedgerBackup(string Path, long Bytes, long LastSequence, DateTimeOffset StartedAt, TimeSpan Duration);

/// <summary>
/// Online backups of the embedded SQLite database, one at a time: each a new file in
/// <see cref="StorageOptions.BackupPath"/>, named <c>entitlements-&lt;UTC start&gt;.db</c>. The copy is written
/// under a <c>.partial</c> name, synced to disk, and only then given its name, so a file with the final
/// name is always whole; a failed copy leaves nothing behind. After each backup the oldest beyond
/// <see cref="StorageOptions.BackupsKept"/> are deleted (none when it is 0).
/// </summary>
public sealed partial class LedgerBackups(SqliteLedgerStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<LedgerBackups> logger) : IDisposable
{
    public const string PartialSuffix = ".partial";

    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Take a backup now; null when another is still being taken.</summary>
    public async Task<LedgerBackup?> TryBackUpAsync()
    {
        if (!await _one.WaitAsync(0).ConfigureAwait(false))
        {
            return null;
        }

        try
        {
            var directory = options.Value.BackupPath;
            Directory.CreateDirectory(directory);
            var startedAt = time.GetUtcNow();
            var started = Stopwatch.GetTimestamp();
            var path = FreeName(directory, startedAt);
            var partial = path + PartialSuffix;
            File.Delete(partial);
            try
            {
                var lastSequence = await store.CopyToAsync(partial).ConfigureAwait(false);
                using (var file = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
                {
                    file.Flush(flushToDisk: true);
                }

                File.Move(partial, path);
                var backup = new LedgerBackup(path, new FileInfo(path).Length, lastSequence, startedAt, Stopwatch.GetElapsedTime(started));
                LogTaken(logger, path, backup.Bytes, lastSequence, (long)backup.Duration.TotalMilliseconds);
                RemoveOld(directory);
                return backup;
            }
            catch
            {
                File.Delete(partial);
                throw;
            }
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();

    /// <summary>The backups in <paramref name="directory"/> (not the one being written), oldest first: their names sort by time.</summary>
    public static IReadOnlyList<string> List(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory, "entitlements-*.db").Order(StringComparer.Ordinal)]
            : [];

    private void RemoveOld(string directory)
    {
        var kept = options.Value.BackupsKept;
        if (kept <= 0)
        {
            return;
        }

        var backups = List(directory);
        foreach (var old in backups.Take(Math.Max(0, backups.Count - kept)))
        {
            try
            {
                File.Delete(old);
                LogRemoved(logger, old);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The new backup is whole and named: a stale one that cannot go now goes after a later backup.
                LogRemoveFailed(logger, exception, old);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backed up the SQLite database to {Path}: {Bytes} bytes, ledger up to sequence {LastSequence}, in {Milliseconds} ms")]
    private static partial void LogTaken(ILogger logger, string path, long bytes, long lastSequence, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the old backup {Path} (Storage:BackupsKept)")]
    private static partial void LogRemoved(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the old backup {Path}; a later backup tries again")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string path);

    /// <summary><c>entitlements-20261207T010203123Z.db</c>, with <c>-2</c>, <c>-3</c>... if that name is taken.</summary>
    private static string FreeName(string directory, DateTimeOffset startedAt)
    {
        var stem = "entitlements-" + startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, stem + ".db");
        for (var i = 2; File.Exists(path); i++)
        {
            path = Path.Combine(directory, $"{stem}-{i}.db");
        }

        return path;
    }
}
