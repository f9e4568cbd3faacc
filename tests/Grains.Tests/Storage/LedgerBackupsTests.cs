using Entitlements.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Storage;

/// <summary>Which files are backups, in which order, and which ones retention deletes.</summary>
public sealed class LedgerBackupsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void List_OnlyBackupNames_OrderedByTheirTimeThenTheirNumber()
    {
        var backups = Path.Combine(_directory.Path, "backups");
        Directory.CreateDirectory(backups);
        foreach (var name in (string[])[
            "entitlements-20261207T010203123Z-2.db", "entitlements-20261207T010203123Z.db", "entitlements-20261207T010203123Z-10.db",
            "entitlements-pre-upgrade.db", "entitlements-20261101T000000000Z.db", "entitlements-20261101T000000000Z.db.partial", "other.db"])
        {
            File.WriteAllText(Path.Combine(backups, name), "x");
        }

        Assert.Equal(
            ["entitlements-20261101T000000000Z.db", "entitlements-20261207T010203123Z.db", "entitlements-20261207T010203123Z-2.db", "entitlements-20261207T010203123Z-10.db"],
            LedgerBackups.List(backups).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Backup_ClockSetBackKeepingOne_KeepsTheOneJustTakenAndOthersThanBackups()
    {
        var options = Options.Create(new StorageOptions { DataDirectory = _directory.Path, BackupsKept = 1 });
        using var store = new SqliteLedgerStore(options);
        await store.InitializeAsync();
        var backups = options.Value.BackupPath;
        Directory.CreateDirectory(backups);
        var ahead = Path.Combine(backups, "entitlements-20261207T120000000Z.db");
        var operators = Path.Combine(backups, "entitlements-pre-upgrade.db");
        File.WriteAllText(ahead, "taken while the clock ran ahead");
        File.WriteAllText(operators, "an operator's copy");

        var backup = await new LedgerBackups(store, options, new FixedClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)), NullLogger<LedgerBackups>.Instance).TryBackUpAsync();

        Assert.Equal(Path.Combine(backups, "entitlements-20261207T090000000Z.db"), backup!.Path);
        Assert.Equal([backup.Path], LedgerBackups.List(backups));
        Assert.True(File.Exists(operators));
        Assert.False(File.Exists(ahead));
    }

    /// <summary>
    /// The database, its WAL and shared-memory files, and a backup, are the service account's only: they hold the
    /// ledger and the settings table's keys (the session-ticket key among them). They were created with the umask's
    /// mode, readable by every account of the machine.
    /// </summary>
    [Fact]
    public async Task Backup_AndTheDatabaseItCopies_AreReadableByTheOwnerOnly()
    {
        var options = Options.Create(new StorageOptions { DataDirectory = _directory.Path });
        using var store = new SqliteLedgerStore(options);
        await store.InitializeAsync();

        var backup = await new LedgerBackups(store, options, new FixedClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)), NullLogger<LedgerBackups>.Instance).TryBackUpAsync();

        var database = options.Value.DatabasePath;
        string[] files = [database, database + "-wal", database + "-shm", backup!.Path];
        Assert.Equal(
            files.Select(file => (file, UnixFileMode.UserRead | UnixFileMode.UserWrite)),
            files.Select(file => (file, OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(file))));
    }

    /// <summary>
    /// A backup asked for while another runs gets null (the gateway's 409) and writes nothing; once the first is
    /// done the next one runs. The first is held inside its run by a clock that waits when the backup reads the time.
    /// </summary>
    [Fact]
    public async Task Backup_WhileAnotherRuns_ReturnsNullAndWritesNothing_ThenRunsOnceItIsDone()
    {
        var options = Options.Create(new StorageOptions { DataDirectory = _directory.Path });
        using var store = new SqliteLedgerStore(options);
        await store.InitializeAsync();
        var clock = new GatedClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var backups = new LedgerBackups(store, options, clock, NullLogger<LedgerBackups>.Instance);

        var first = Task.Run(backups.TryBackUpAsync);
        Assert.True(clock.Reading.Wait(TimeSpan.FromSeconds(30)), "the first backup never read the clock");
        var second = await backups.TryBackUpAsync();
        var filesMeanwhile = Directory.GetFiles(options.Value.BackupPath);
        clock.Release.Set();
        var taken = await first;
        var third = await backups.TryBackUpAsync();

        Assert.Null(second);
        Assert.Empty(filesMeanwhile);
        Assert.Equal(Path.Combine(options.Value.BackupPath, "entitlements-20261207T090000000Z.db"), taken!.Path);
        Assert.Equal(Path.Combine(options.Value.BackupPath, "entitlements-20261207T090000000Z-2.db"), third!.Path);
        Assert.Equal([taken.Path, third.Path], LedgerBackups.List(options.Value.BackupPath));
    }

    /// <summary>
    /// A copy that fails (here as one on a full disk would, with SQLite's journal of the copy beside it) leaves no
    /// file of it: the journal used to stay, one more per failed scheduled backup.
    /// </summary>
    [Fact]
    public async Task Backup_CopyFails_LeavesNoFileOfItBehind()
    {
        var options = Options.Create(new StorageOptions { DataDirectory = _directory.Path });
        using var store = await OpenWithBackupFilesAsync(options, "other.db");
        var backups = options.Value.BackupPath;
        var failing = new LedgerBackups(store, options, new FixedClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)), NullLogger<LedgerBackups>.Instance)
        {
            TestHookCopied = partial =>
            {
                File.WriteAllText(partial + "-journal", "a journal the failed copy left");
                throw new IOException("No space left on device");
            },
        };

        var failure = await Assert.ThrowsAsync<IOException>(failing.TryBackUpAsync);

        Assert.Equal("No space left on device", failure.Message);
        Assert.Equal(["other.db"], Directory.GetFiles(backups).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// What a process stopped in the middle of a backup left (the <c>.partial</c> copy and SQLite's files of it) is
    /// deleted when the next backup starts; other files are not.
    /// </summary>
    [Fact]
    public async Task Backup_AfterAStoppedOne_DeletesThePartialCopyAndItsSqliteFilesOnly()
    {
        var options = Options.Create(new StorageOptions { DataDirectory = _directory.Path });
        using var store = await OpenWithBackupFilesAsync(
            options,
            "entitlements-20261207T080000000Z.db.partial", "entitlements-20261207T080000000Z.db.partial-journal",
            "entitlements-20261207T070000000Z.db.partial-wal", "entitlements-20261207T070000000Z.db.partial-shm",
            "entitlements-20261207T070000000Z.db.partial-notes", "other.db.partial-journal");
        var backups = options.Value.BackupPath;

        var backup = await new LedgerBackups(store, options, new FixedClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero)), NullLogger<LedgerBackups>.Instance).TryBackUpAsync();

        Assert.Equal(
            ["entitlements-20261207T070000000Z.db.partial-notes", "entitlements-20261207T090000000Z.db", "other.db.partial-journal"],
            Directory.GetFiles(backups).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(backups, "entitlements-20261207T090000000Z.db"), backup!.Path);
    }

    /// <summary>An initialized store, with these files (and nothing else) in its backup directory.</summary>
    private static async Task<SqliteLedgerStore> OpenWithBackupFilesAsync(IOptions<StorageOptions> options, params string[] files)
    {
        var store = new SqliteLedgerStore(options);
        await store.InitializeAsync();
        Directory.CreateDirectory(options.Value.BackupPath);
        foreach (var name in files)
        {
            File.WriteAllText(Path.Combine(options.Value.BackupPath, name), "x");
        }

        return store;
    }

    /// <summary>A fixed time whose first reading signals <see cref="Reading"/> and waits for <see cref="Release"/>.</summary>
    private sealed class GatedClock(DateTimeOffset now) : TimeProvider
    {
        private int _reads;

        public ManualResetEventSlim Reading { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                Reading.Set();
                Assert.True(Release.Wait(TimeSpan.FromSeconds(30)), "the test never released the first backup");
            }

            return now;
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
