using Entitlements.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Entitlements.Hosting;

/// <summary>
/// One cluster per PostgreSQL ledger. Two embedded silos on one database, or an embedded silo beside a
/// cluster's silos, are separate clusters: each caches platform-user links and catalog entries in its own
/// grains (a change through one is never seen by the other) and runs its own notification relay and
/// webhook grains (every webhook delivered twice, and the relays' shared position skipping notifications
/// for the other's streams). So every silo holds the session-level advisory lock <see cref="Key"/> on a
/// connection of its own for its whole life: an embedded silo alone (exclusive), a cluster's silos
/// together (<paramref name="shared"/>). A start fails when the lock is held the other way, after
/// <see cref="HeldWait"/> for a previous process that is still stopping.
/// <para>
/// The connection is checked every <see cref="CheckInterval"/>. When it is lost (the database restarted),
/// the lock went with it: the silo takes it again as soon as the database answers. If another process took
/// it the other way meanwhile, an embedded silo stops and a cluster silo serves on, logging and trying again.
/// Since nobody holds the lock until its holders take it again, an embedded silo also stays out while a
/// cluster silo's membership heartbeat is recent (<see cref="ClusterSiloAliveWindow"/>). The server is asked
/// to probe the connection (TCP keepalives), so that the lock of a host that vanished without closing its
/// socket is released within about half a minute.
/// </para>
/// </summary>
/// <param name="shared">A cluster-mode silo's hold, which other cluster silos share; false for an embedded silo's.</param>
internal sealed partial class EmbeddedSiloLock(
    string connectionString, StorageOptions storage, IHostApplicationLifetime lifetime, ILogger<EmbeddedSiloLock> logger, bool shared = false)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>The advisory lock's key ("Entitl" and 4), beside the store's 1 to 3 and 5 (PostgresLedgerStore).</summary>
    public const long Key = 0x456E_7469_746C_0004;

    /// <summary>How long a starting silo waits for the lock, for a previous process that is still stopping.</summary>
    public static readonly TimeSpan HeldWait = TimeSpan.FromSeconds(10);

    /// <summary>How often the held connection is checked, and a lost lock tried again.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private const string KeepAlives = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3; ";

    /// <summary>How recently a cluster silo must have written its heartbeat to the membership table to keep an embedded silo out.</summary>
    public static readonly TimeSpan ClusterSiloAliveWindow = TimeSpan.FromMinutes(2);

    private static readonly string ClusterSiloAliveSql =
        $"SELECT EXISTS (SELECT 1 FROM orleans_membership WHERE status = 3 AND i_am_alive_time > now() - interval '{(int)ClusterSiloAliveWindow.TotalSeconds} seconds');";

    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlConnection? _connection;
    private Task _watch = Task.CompletedTask;

    public static string HeldMessage =>
        $"Another process holds this database's embedded-mode lock (PostgreSQL advisory lock {Key}), or a cluster silo wrote its heartbeat to orleans_membership within {ClusterSiloAliveWindow.TotalMinutes:0} minutes: an embedded-mode silo or a cluster's silos already run on it. " +
        "An embedded silo beside them would be a separate cluster, with its own cached platform-user links and catalog entries and " +
        "its own notification relay and webhook deliveries (every webhook sent twice). Run one embedded gateway per database, or Orleans:Mode=Cluster " +
        $"for several processes. Waited {HeldWait.TotalSeconds:0} s for the lock to be released.";

    public static string HeldByEmbeddedMessage =>
        $"An embedded-mode silo holds this database's lock (PostgreSQL advisory lock {Key}): a cluster-mode silo beside it would be a second, separate cluster " +
        "on one ledger, with its own cached platform-user links and catalog entries and its own notification relay and webhook deliveries. " +
        $"Stop the embedded gateway or silo, or start it with Orleans:Mode=Cluster. Waited {HeldWait.TotalSeconds:0} s for the lock to be released.";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EmbeddedSiloLock), ServiceLifecycleStage.First, StartAsync, StopAsync);

    public void Dispose()
    {
        _stopping.Dispose();
        _connection?.Dispose();
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + HeldWait;
        for (var waited = false; ; waited = true)
        {
            NpgsqlConnection? connection = null;
            await StartupPatience.RunAsync(
                storage,
                $"The {storage.Provider} store", // as the ledger's own wait words it: the same database, waited for first
                async token => connection = await TryTakeAsync(token).ConfigureAwait(false),
                (exception, attempts, pause) => LogUnreachable(logger, attempts, pause.TotalSeconds, exception.Message),
                cancellationToken).ConfigureAwait(false);
            if (connection is not null)
            {
                _connection = connection;
                break;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException(shared ? HeldByEmbeddedMessage : HeldMessage);
            }

            if (!waited)
            {
                LogWaiting(logger, Key, HeldWait.TotalSeconds);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        _watch = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watch.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Closing the session releases the lock; the silo has stopped everything else by now (the first stage stops last).
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A new connection holding the lock, or null when another session holds it.</summary>
    private async Task<NpgsqlConnection?> TryTakeAsync(CancellationToken cancellationToken)
    {
        // Not pooled: the lock belongs to this one session, which no one else may use or reset.
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(connectionString)) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // An embedded silo takes the lock only while no cluster silo has shown itself alive lately: after a
            // database restart every session's lock is gone, and a stray embedded process must not take it
            // before the cluster's silos take theirs again.
            if (!shared && await ClusterSiloAliveAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            await using var command = new NpgsqlCommand(KeepAlives + (shared ? "SELECT pg_try_advisory_lock_shared(@key);" : "SELECT pg_try_advisory_lock(@key);"), connection);
            command.Parameters.AddWithValue("key", Key);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return connection;
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private static async Task<bool> ClusterSiloAliveAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('orleans_membership') IS NOT NULL;", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return false;
            }
        }

        await using var alive = new NpgsqlCommand(ClusterSiloAliveSql, connection);
        return await alive.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                if (_connection is { } held)
                {
                    try
                    {
                        await using var check = new NpgsqlCommand("SELECT 1;", held);
                        await check.ExecuteScalarAsync(stopping).ConfigureAwait(false);
                        continue;
                    }
                    catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException && !stopping.IsCancellationRequested)
                    {
                        LogLost(logger, Key, exception.Message);
                        _connection = null;
                        await held.DisposeAsync().ConfigureAwait(false);
                    }
                }

                try
                {
                    _connection = await TryTakeAsync(stopping).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    continue; // still unreachable: the next tick tries again
                }

                if (_connection is null && shared)
                {
                    // A cluster silo goes on serving: stopping every silo of a cluster because one stray process took
                    // the lock first would be worse than the second cluster it is kept from being. It keeps trying.
                    LogSharedTakenByAnother(logger, Key);
                    continue;
                }

                if (_connection is null)
                {
                    LogTakenByAnother(logger, Key);
                    // A failure, not a stop that was asked for: the process exits 1, so that a supervisor sees it.
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                    return;
                }

                LogRetaken(logger, Key);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }
}
