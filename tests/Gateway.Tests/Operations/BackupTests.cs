using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Operations;

/// <summary>
/// <c>POST /ops/v1/backups</c> on the embedded SQLite database: a whole, consistent copy taken while grants
/// are being written, holding every grant acknowledged before it was asked for, that a gateway started on
/// it serves and writes to as it would its own.
/// </summary>
public sealed class BackupTests
{
    [Fact]
    public async Task Backup_WhileGrantsAreWritten_IsTheLedgerUpToItsLastSequenceAndHoldsEveryGrantAcknowledgedBefore()
    {
        await using var gateway = await StartAsync();
        var client = gateway.Client;
        var player = await client.CreatePlayerAsync();
        var granted = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            granted.Add((await client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx"))))["event_id"]!.GetValue<string>());
        }

        // Other players' grants keep coming while the backup is taken.
        var acknowledged = new ConcurrentQueue<(string EventId, DateTime At)>();
        using var stop = new CancellationTokenSource();
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.CreatePlayerAsync()));
        var writers = others.Select(other => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var grant = await client.PostEventOkAsync(EventRequests.Grant(other.PlatformUserId, "gems_100", Unique.Name("tx")));
                acknowledged.Enqueue((grant["event_id"]!.GetValue<string>(), DateTime.UtcNow));
            }
        })).ToList();
        await Poll.UntilAsync(() => acknowledged.Count >= 20, TimeSpan.FromSeconds(30), "The concurrent grants did not start.");

        var asked = DateTime.UtcNow;
        using var ops = Operator(gateway);
        var response = await ops.SendAsync(HttpMethod.Post, "/ops/v1/backups");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(response.Status == HttpStatusCode.OK, $"backup answered {response}");
        var body = response.BodyObject;
        var file = body["file"]!.GetValue<string>();
        Assert.Matches(@"^entitlements-\d{8}T\d{9}Z\.db$", file);
        var backups = Path.Combine(gateway.DataDirectory, "backups");
        var path = Path.Combine(backups, file);
        Assert.Equal(path, body["path"]!.GetValue<string>());
        Assert.Equal([path], Directory.GetFiles(backups));
        Assert.Equal(new FileInfo(path).Length, body["bytes"]!.GetValue<long>());
        Assert.InRange(body["started_at"]!.GetValue<DateTimeOffset>(), asked.AddSeconds(-5), DateTime.UtcNow.AddSeconds(5));
        Assert.True(body["duration_ms"]!.GetValue<long>() >= 0);
        var last = body["last_sequence"]!.GetValue<long>();

        // Whole, and the ledger exactly up to its last sequence: nothing missing, nothing half-written.
        using var copy = Open(path);
        Assert.Equal("ok", Scalar(copy, "PRAGMA integrity_check;"));
        Assert.Equal(last, Convert.ToInt64(Scalar(copy, "SELECT MAX(seq) FROM ledger_events;"), CultureInfo.InvariantCulture));
        using var live = Open(Path.Combine(gateway.DataDirectory, "entitlements.db"));
        Assert.Equal(Rows(live, last), Rows(copy, last));
        Assert.True(Convert.ToInt64(Scalar(live, "SELECT MAX(seq) FROM ledger_events;"), CultureInfo.InvariantCulture) > last, "no grant was written after the backup");

        // Every grant acknowledged before the backup was asked for is in it.
        var inCopy = EventIds(copy);
        Assert.All(granted, id => Assert.Contains(id, inCopy));
        var before = acknowledged.Where(a => a.At < asked).Select(a => a.EventId).ToList();
        Assert.NotEmpty(before);
        Assert.All(before, id => Assert.Contains(id, inCopy));

        // Restored: a gateway started on the copy serves the player's grants and writes after the last sequence.
        await using var restored = new GatewayFixture();
        File.Copy(path, Path.Combine(restored.DataDirectory, "entitlements.db"));
        await restored.InitializeAsync();
        var events = await restored.Client.AllEventsAsync($"&player_uuid={player.Uuid}");
        Assert.Equal(granted, events.Select(e => e["event_id"]!.GetValue<string>()));
        var next = await restored.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        using var restoredLedger = Open(Path.Combine(restored.DataDirectory, "entitlements.db"));
        Assert.Equal(
            last + 1,
            Convert.ToInt64(Scalar(restoredLedger, $"SELECT seq FROM ledger_events WHERE event_id = '{next["event_id"]!.GetValue<string>()}';"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Backup_TwoInARow_AreTwoFiles_AndAHalfWrittenOneLeftByAStoppedProcessGoes()
    {
        await using var gateway = await StartAsync();
        Directory.CreateDirectory(Path.Combine(gateway.DataDirectory, "backups"));
        await File.WriteAllTextAsync(Path.Combine(gateway.DataDirectory, "backups", "entitlements-20261101T000000000Z.db" + LedgerBackups.PartialSuffix), "half");
        using var ops = Operator(gateway);
        var first = await ops.SendAsync(HttpMethod.Post, "/ops/v1/backups");
        var second = await ops.SendAsync(HttpMethod.Post, "/ops/v1/backups");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var files = new[] { first, second }.Select(r => r.BodyObject["path"]!.GetValue<string>()).ToList();
        Assert.Equal(files.Order(StringComparer.Ordinal), Directory.GetFiles(Path.Combine(gateway.DataDirectory, "backups")).Order(StringComparer.Ordinal));
        Assert.NotEqual(files[0], files[1]);
    }

    [Fact]
    public async Task Backup_WithoutThePermission_Is403AndWritesNothing()
    {
        await using var gateway = await StartAsync();
        var response = await gateway.Client.SendAsync(HttpMethod.Post, "/ops/v1/backups");

        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "backups")));
    }

    [Fact]
    public async Task Backup_DirectoryCannotBeMade_IsAProblemAndLeavesNothing()
    {
        await using var gateway = await StartAsync(new UnwritableBackupsGateway());
        using var ops = Operator(gateway);

        var response = await ops.SendAsync(HttpMethod.Post, "/ops/v1/backups");

        AssertProblem(HttpStatusCode.InternalServerError, "The backup failed", response);
        Assert.StartsWith("No backup was written: ", response.BodyObject["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([Path.Combine(gateway.DataDirectory, UnwritableBackupsGateway.File)], Directory.GetFiles(gateway.DataDirectory, UnwritableBackupsGateway.File + "*", SearchOption.AllDirectories));

        // The gateway is unharmed: the next grant is recorded.
        var player = await gateway.Client.CreatePlayerAsync();
        await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
    }

    /// <summary>
    /// Every second a backup by itself, two kept: the oldest go as new ones come, and what is left is whole,
    /// named, and the newest; a backup asked for counts against the same limit.
    /// </summary>
    [Fact]
    public async Task ScheduledBackups_EverySecondKeepingTwo_KeepTheNewestTwoWholeFiles()
    {
        await using var gateway = await StartAsync(new ScheduledBackupsGateway());
        var player = await gateway.Client.CreatePlayerAsync();
        var grant = await gateway.Client.PostEventOkAsync(EventRequests.Grant(player.PlatformUserId, "gems_100", Unique.Name("tx")));
        var backups = Path.Combine(gateway.DataDirectory, "backups");

        // Wait for a first backup that holds the grant, then until it has been removed: two newer ones came.
        string? first = null;
        await Poll.UntilAsync(
            () => (first = LedgerBackups.List(backups).FirstOrDefault(f => Holds(f, grant["event_id"]!.GetValue<string>()))) is not null,
            TimeSpan.FromSeconds(30),
            "no scheduled backup holds the grant");
        await Poll.UntilAsync(() => !File.Exists(first), TimeSpan.FromSeconds(30), "the oldest backup was not removed");
        // Asked for between scheduled ones: while one runs the answer is 409, to send again.
        using var ops = Operator(gateway);
        ApiResponse asked = null!;
        await Poll.UntilAsync(
            async () => (asked = await ops.SendAsync(HttpMethod.Post, "/ops/v1/backups")).Status != HttpStatusCode.Conflict,
            TimeSpan.FromSeconds(30),
            "every backup asked for met a scheduled one");
        Assert.True(asked.Status == HttpStatusCode.OK, $"backup answered {asked}");
        var path = asked.BodyObject["path"]!.GetValue<string>();

        // Between two backups (they come every second and take milliseconds): the newest two, whole, nothing partial.
        IReadOnlyList<string> left = [];
        await Poll.UntilAsync(
            () => (left = LedgerBackups.List(backups)).Count == 2 && Directory.GetFiles(backups, "*" + LedgerBackups.PartialSuffix).Length == 0 && left.All(Whole),
            TimeSpan.FromSeconds(30),
            () => $"the backups are {string.Join(", ", Directory.GetFiles(backups).Select(Path.GetFileName))}");
        Assert.All(left, f => Assert.True(string.CompareOrdinal(Path.GetFileName(f), Path.GetFileName(first)) > 0, $"{f} is not newer than {first}"));
        Assert.True(string.CompareOrdinal(Path.GetFileName(left[^1]), Path.GetFileName(path)) >= 0, $"{path} was asked for after the newest, {left[^1]}");
    }

    /// <summary>Whether the backup at <paramref name="path"/> opens and passes SQLite's integrity check; false when it is gone meanwhile.</summary>
    private static bool Whole(string path)
    {
        try
        {
            using var copy = Open(path);
            return (string?)Scalar(copy, "PRAGMA integrity_check;") == "ok";
        }
        catch (SqliteException) when (!File.Exists(path))
        {
            return false;
        }
    }

    internal static void AssertProblem(HttpStatusCode status, string title, ApiResponse response)
    {
        Assert.True(response.Status == status, $"expected {(int)status}, got {response}");
        Assert.Equal("application/problem+json", response.ContentHeaders.ContentType?.MediaType);
        Assert.Equal((int)status, response.BodyObject["status"]!.GetValue<int>());
        Assert.Equal(title, response.BodyObject["title"]!.GetValue<string>());
    }

    private static async Task<GatewayFixture> StartAsync(GatewayFixture? gateway = null)
    {
        gateway ??= new GatewayFixture();
        await gateway.InitializeAsync();
        return gateway;
    }

    private static HttpClient Operator(GatewayFixture gateway)
    {
        var issuer = gateway.App.Services.GetRequiredService<DevelopmentIssuer>();
        var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", issuer.Mint([Permissions.Backups], player: null, TimeSpan.FromHours(1)));
        return client;
    }

    /// <summary>A gateway whose backup directory lies under a regular file, so that it can never be made (also as root).</summary>
    private sealed class UnwritableBackupsGateway : GatewayFixture
    {
        public const string File = "not-a-directory";

        protected override void Configure(IDictionary<string, string?> settings)
        {
            var file = Path.Combine(DataDirectory, File);
            System.IO.File.WriteAllText(file, "x");
            settings["Storage:BackupDirectory"] = Path.Combine(file, "backups");
        }
    }

    private sealed class ScheduledBackupsGateway : GatewayFixture
    {
        protected override void Configure(IDictionary<string, string?> settings)
        {
            settings["Storage:BackupInterval"] = "00:00:01";
            settings["Storage:BackupsKept"] = "2";
        }
    }

    /// <summary>Whether the backup at <paramref name="path"/> holds <paramref name="eventId"/>; false when it is gone meanwhile.</summary>
    private static bool Holds(string path, string eventId)
    {
        try
        {
            using var copy = Open(path);
            return EventIds(copy).Contains(eventId);
        }
        catch (SqliteException) when (!File.Exists(path))
        {
            return false;
        }
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Every column of every ledger row up to <paramref name="last"/>, in order, as text.</summary>
    private static List<string> Rows(SqliteConnection connection, long last)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM ledger_events WHERE seq <= {last} ORDER BY seq;";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private static HashSet<string> EventIds(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM ledger_events;";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
