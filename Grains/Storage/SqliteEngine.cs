using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Entitlements.Storage;

/// <summary>
/// SQLite's process-wide settings, applied once before this process opens its first connection.
/// <list type="bullet">
/// <item><b>Multi-thread mode</b> (<c>SQLITE_CONFIG_MULTITHREAD</c>): SQLite takes no mutex around each
/// call on a connection or statement. The ledger store never uses one connection from two threads at
/// once (readers take a pooled connection each; the writer is used under the write lock), which is all
/// that mode asks. In the default serialized mode every column read of a page is a mutex round trip:
/// about a tenth of the gateway's CPU samples while it serves pages.</item>
/// <item><b>No memory statistics</b> (<c>SQLITE_CONFIG_MEMSTATUS</c> 0): otherwise every allocation of
/// every connection takes one process-wide mutex to count itself. Nothing here reads the counts.</item>
/// </list>
/// SQLite accepts these only before it initializes; when something opened a connection first, the call
/// is refused and SQLite stays serialized, which is slower but just as correct
/// (<see cref="MultiThreaded"/> tells which). Everything in this solution that opens an SQLite connection
/// reads <see cref="MultiThreaded"/> first.
/// </summary>
public static class SqliteEngine
{
    private const int ConfigMultiThread = 2;
    private const int ConfigMemStatus = 9;

    private static readonly Lazy<bool> Configured = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the settings (once); whether SQLite runs in multi-thread mode.</summary>
    public static bool MultiThreaded => Configured.Value;

    private static bool Configure()
    {
        // Microsoft.Data.Sqlite's static constructor loads the native library (SQLitePCL's provider).
        RuntimeHelpers.RunClassConstructor(typeof(SqliteConnection).TypeHandle);
        var threading = raw.sqlite3_config(ConfigMultiThread);
        raw.sqlite3_config(ConfigMemStatus, 0);
        return threading == raw.SQLITE_OK;
    }
}
