using System.Diagnostics;
using Entitlements.Tests.Infrastructure;
using Npgsql;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// The PostgreSQL server of the test run (a collection fixture): the one named by
/// <c>ENTITLEMENTS_TEST_POSTGRES</c> (an Npgsql connection string with a user that may create
/// databases), or else a throwaway server started here from the local PostgreSQL binaries (initdb into
/// a temp directory, run as the <c>postgres</c> user when the tests run as root, on a free loopback
/// port) and stopped when the collection is done. Every test gets its own database from
/// <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ConnectionStringVariable = "ENTITLEMENTS_TEST_POSTGRES";
    public const string BinariesVariable = "ENTITLEMENTS_TEST_POSTGRES_BIN";

    private ThrowawayPostgres? _throwaway;
    private string? _connectionString;

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The PostgreSQL server is not started.");

    /// <summary>
    /// A throwaway server of its own (never the one of <c>ENTITLEMENTS_TEST_POSTGRES</c>), for a test that
    /// stops and starts it (<see cref="CrashAsync"/>, <see cref="StartAgainAsync"/>), or for the benchmark
    /// harness, which must measure a server it knows; dispose it when done. <paramref name="durable"/>: flush
    /// to disk as a production server does (<c>fsync</c> on); the tests need no durability and run faster
    /// without, the benchmark turns it on.
    /// </summary>
    public static async Task<PostgresServer> StartThrowawayAsync(bool durable = false)
    {
        var server = new PostgresServer();
        server._throwaway = await ThrowawayPostgres.StartAsync(Environment.GetEnvironmentVariable(BinariesVariable), durable);
        server._connectionString = server._throwaway.ConnectionString;
        return server;
    }

    /// <summary>Stop the server as a crash would (<c>pg_ctl stop -m immediate</c>): connections drop, nothing is flushed first.</summary>
    public Task CrashAsync() => Throwaway.CrashAsync();

    /// <summary>Start the server again on the same data directory and port, after <see cref="CrashAsync"/>.</summary>
    public Task StartAgainAsync() => Throwaway.StartAgainAsync();

    private ThrowawayPostgres Throwaway => _throwaway ?? throw new InvalidOperationException(
        $"Only a throwaway server started by the tests can be stopped and started ({nameof(StartThrowawayAsync)}).");

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _connectionString = new NpgsqlConnectionStringBuilder(configured) { Database = "postgres" }.ConnectionString;
            return;
        }

        _throwaway = await ThrowawayPostgres.StartAsync(Environment.GetEnvironmentVariable(BinariesVariable), durable: false);
        _connectionString = _throwaway.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_throwaway is not null)
        {
            await _throwaway.DisposeAsync();
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "entitlements_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {name};");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drop a database made by <see cref="CreateDatabaseAsync"/>, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE);");
    }

    /// <summary>
    /// Make the sessions of a database made by <see cref="CreateDatabaseAsync"/> start read-only, or not, as after a
    /// fail-over to a standby: the setting applies to new sessions, so the open ones are ended.
    /// </summary>
    public async Task SetReadOnlyAsync(string connectionString, bool readOnly)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"ALTER DATABASE {name} SET default_transaction_read_only = {(readOnly ? "on" : "off")};");
        await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();");
    }

    private async Task ExecuteAsync(string sql)
    {
        // No pooling: the maintenance connection must not keep a session open in between.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A PostgreSQL cluster in a temp directory, for one test run.</summary>
    private sealed class ThrowawayPostgres : IAsyncDisposable
    {
        private const string HowToProvideOne =
            $"Either install PostgreSQL (its initdb and pg_ctl, found in /usr/lib/postgresql/<version>/bin or in {BinariesVariable}), " +
            $"or start a server and set {ConnectionStringVariable}, e.g. {ConnectionStringVariable}='Host=127.0.0.1;Port=5432;Username=postgres;Password=...'.";

        private readonly string _binaries;
        private readonly string _directory;
        private readonly bool _asPostgresUser;
        private readonly bool _durable;
        private int _stopped;

        private ThrowawayPostgres(string binaries, string directory, bool asPostgresUser, bool durable, int port)
        {
            _durable = durable;
            _binaries = binaries;
            _directory = directory;
            _asPostgresUser = asPostgresUser;
            ConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
            }.ConnectionString;
        }

        public string ConnectionString { get; }

        private string DataDirectory => Path.Combine(_directory, "data");

        public static async Task<ThrowawayPostgres> StartAsync(string? binaries, bool durable)
        {
            binaries ??= FindBinaries() ?? throw new InvalidOperationException(
                $"The PostgreSQL tests need a server and none is configured ({ConnectionStringVariable} is not set), and no PostgreSQL binaries were found to start one. {HowToProvideOne}");
            var asPostgresUser = Environment.UserName == "root"; // initdb and postgres refuse to run as root
            var directory = Path.Combine(Path.GetTempPath(), "entitlements-pg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres", directory]);
            }

            for (var attempt = 1; ; attempt++)
            {
                var server = new ThrowawayPostgres(binaries, directory, asPostgresUser, durable, FreePorts.Next());
                try
                {
                    await server.InitAndStartAsync();
                    // A test host that ends without disposing the fixture must not leave a server behind.
                    AppDomain.CurrentDomain.ProcessExit += server.OnProcessExit;
                    return server;
                }
                catch (InvalidOperationException) when (attempt < 3 && Directory.Exists(server.DataDirectory))
                {
                    // initdb worked, so most likely the port was taken between choosing and binding it: try another.
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            await StopAsync();
        }

        private async Task InitAndStartAsync()
        {
            var port = new NpgsqlConnectionStringBuilder(ConnectionString).Port;
            if (!Directory.Exists(DataDirectory))
            {
                await RunPostgresToolAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
            }

            // A test server: durability is the real server's business, so skip the disk flushes (unless asked).
            var options = $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={_directory} " +
                (_durable ? "" : "-c fsync=off -c full_page_writes=off ") + "-c max_connections=200";
            await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o", options, "start"]);
        }

        public Task CrashAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

        public Task StartAgainAsync() => InitAndStartAsync();

        private async Task StopAsync()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0)
            {
                return;
            }

            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }

            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }

        private void OnProcessExit(object? sender, EventArgs e) => StopAsync().GetAwaiter().GetResult();

        private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments)
        {
            var path = Path.Combine(_binaries, tool);
            return _asPostgresUser
                ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
                : RunAsync(path, arguments);
        }

        private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
        {
            var start = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}. {HowToProvideOne}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output} {HowToProvideOne}");
            }
        }

        private static string? FindBinaries() =>
            Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .Select(version => Path.Combine(version, "bin"))
                    .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
                    .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                    .FirstOrDefault()
                : null;
    }
}
