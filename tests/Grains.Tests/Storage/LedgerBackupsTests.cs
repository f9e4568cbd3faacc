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

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
