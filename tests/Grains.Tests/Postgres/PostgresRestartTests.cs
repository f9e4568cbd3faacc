using Entitlements.Contracts;
using Entitlements.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Entitlements.Tests.Postgres;

/// <summary>
/// After PostgreSQL restarts, the pool still holds connections to the server that is gone. The store's
/// reads (and its writes that may run twice) meet one of them first and must still answer: docs/operations.md
/// promises that the next request after PostgreSQL accepts connections works. A server of its own,
/// since the test stops it.
/// </summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task StoreCalls_FirstAfterARestart_AnswerOnAFreshConnection()
    {
        await using var server = await PostgresServer.StartThrowawayAsync();
        await using var dataSource = PostgresConnectionDefaults.CreateDataSource(server.ConnectionString);
        await using var store = new PostgresLedgerStore(dataSource, NullLogger<PostgresLedgerStore>.Instance);
        await store.InitializeAsync();
        var link = await store.LinkPlatformUserAsync(Platform.Steam, "steam-restart", "Restarted", null, DateTimeOffset.UtcNow);
        var player = link.Link.PlayerUuid;
        var calls = new (string Name, Func<Task<object?>> Run)[]
        {
            ("ReadPlayerAsync", async () => (await store.ReadPlayerAsync(player))?.PlayerUuid),
            ("ReadPlayerEventsAsync", async () => (await store.ReadPlayerEventsAsync(player, 0, 10)).Count),
            ("ReadSnapshotAsync", async () => await store.ReadSnapshotAsync(player)),
            ("ReadPlatformUserAsync", async () => (await store.ReadPlatformUserAsync(Platform.Steam, "steam-restart"))?.PlayerUuid),
            ("ReadCatalogSkuAsync", async () => await store.ReadCatalogSkuAsync(Platform.Steam, "no-such-sku")),
            ("ReadPendingXboxConsumesAsync", async () => (await store.ReadPendingXboxConsumesAsync("2533274800000001")).Count),
            ("CountDeadLettersAsync", async () => (await store.CountDeadLettersAsync("hook")).Total),
            ("WriteConsumerPositionAsync", async () =>
            {
                await store.WriteConsumerPositionAsync("restart-test", 7);
                return await store.FindConsumerPositionAsync("restart-test");
            }),
        };

        var answers = new List<string>();
        foreach (var (name, run) in calls)
        {
            await FillThePoolAsync(dataSource);
            await server.CrashAsync();
            await server.StartAgainAsync();
            try
            {
                answers.Add($"{name}: {await run() ?? "none"}");
            }
            catch (NpgsqlException exception)
            {
                answers.Add($"{name} failed: {exception.Message}");
            }
        }

        Assert.Equal(
            [
                $"ReadPlayerAsync: {player}",
                "ReadPlayerEventsAsync: 0",
                "ReadSnapshotAsync: none",
                $"ReadPlatformUserAsync: {player}",
                "ReadCatalogSkuAsync: none",
                "ReadPendingXboxConsumesAsync: 0",
                "CountDeadLettersAsync: 0",
                "WriteConsumerPositionAsync: 7",
            ],
            answers);
    }

    /// <summary>Leaves several idle connections in the pool: four commands that overlap, each on its own connection.</summary>
    private static async Task FillThePoolAsync(NpgsqlDataSource dataSource) =>
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var command = dataSource.CreateCommand("SELECT pg_sleep(0.1);");
            await command.ExecuteNonQueryAsync();
        }));
}
