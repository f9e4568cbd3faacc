using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Entitlements.Storage;

/// <summary>A finished backup: the file, its size, the newest ledger sequence it holds, and when it was taken.</summary>
public sealed record LedgerBackup(string Path, long Bytes, long LastSequence, DateTimeOffset StartedAt, TimeSpan Duration);

/// <summary>
/// Online backups of the embedded SQLite database, one at a time: each a new file in
/// <see cref="StorageOptions.BackupPath"/>, named <c>entitlements-&lt;UTC start&gt;.db</c>. The copy is written
/// under a <c>.partial</c> name, synced to disk, and only then given its name, so a file with the final
/// name is always whole; a failed copy leaves nothing behind. Old backups are never removed here.
/// </summary>
public sealed class LedgerBackups(SqliteLedgerStore store, IOptions<StorageOptions> options, TimeProvider time) : IDisposable
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
                return new LedgerBackup(path, new FileInfo(path).Length, lastSequence, startedAt, Stopwatch.GetElapsedTime(started));
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
