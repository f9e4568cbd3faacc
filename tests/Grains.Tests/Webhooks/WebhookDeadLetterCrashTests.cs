using Entitlements.Notifications;
using Entitlements.Storage;
using Entitlements.Tests.Infrastructure;
using Entitlements.Tests.Outage;
using Entitlements.Tests.Postgres;
using Entitlements.Tests.Storage;
using Entitlements.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// A silo that stops right after a notification became a dead letter, with no position write landing after it
/// (every one is refused, the deactivation's too): the next cluster on the same database neither sends that
/// notification again nor writes its dead letter a second time. Run on each engine by a subclass.
/// </summary>
public abstract class WebhookDeadLetterCrashTests
{
    private const string Name = "dead-letter-crash";
    private const string Path = "/hooks/dead-letter-crash";

    /// <summary>The storage settings of this test's fresh database.</summary>
    protected abstract Task<Dictionary<string, string?>> StorageAsync();

    /// <summary>The engine's own store, from the silo's services.</summary>
    protected abstract ILedgerStore RealStore(IServiceProvider services);

    [Fact]
    public async Task Restart_NoPositionWriteAfterTheDeadLetter_SendsNothingAgainAndKeepsTheOneDeadLetter()
    {
        using var directory = new TempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhookCluster.Webhook(0, Name, receiver.Url(Path), maxAttempts: 2);
        var storage = await StorageAsync();
        var consumer = WebhookEndpointOptions.ConsumerNameOf(Name);
        Contracts.PlatformUserLink first;
        Contracts.CatalogSku sku;
        string failing;
        WebhookDeadLetter letter;
        await using (var cluster = await WebhookCluster.StartAsync(
            directory.Path,
            silo => silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(RealStore(sp)).Store),
            settings,
            storage))
        {
            var faults = (FaultyLedgerStore)(object)cluster.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();
            var webhook = cluster.Client.GetGrain<IWebhookGrain>(Name);
            var ledger = new LedgerActions(cluster.Client);
            first = await ledger.NewPlayerAsync();
            sku = await ledger.PutSkuAsync();

            // Active, with its starting position stored; from here on no position write of its own lands.
            await webhook.GetStatusAsync();
            faults.FailPositionWrites(consumer, int.MaxValue);

            // Enough failures for the two attempts and, should it be sent again after the restart, two more.
            receiver.FailNext(Path, first.PlayerUuid, 4, 500);
            failing = (await ledger.GrantAsync(first, sku)).EventId;
            await WaitUntilAsync(async () => (await webhook.ListDeadLettersAsync(0, 10)).DeadLetters.Count == 1);
            letter = Assert.Single((await webhook.ListDeadLettersAsync(0, 10)).DeadLetters);
        }

        await using (var cluster = await WebhookCluster.StartAsync(directory.Path, settings, storage))
        {
            var ledger = new LedgerActions(cluster.Client);
            var second = await ledger.NewPlayerAsync();
            var next = (await ledger.GrantAsync(second, sku)).EventId;
            var delivered = Assert.Single(await receiver.WaitForDeliveredAsync(Path, second.PlayerUuid, 1));

            Assert.Equal(next, delivered.Header(WebhookHeaders.EventId));
            Assert.Equal(
                [(failing, "1", 500), (failing, "2", 500)],
                receiver.Requests(Path, first.PlayerUuid).Select(r => (r.Header(WebhookHeaders.EventId), r.Header(WebhookHeaders.Attempt), r.Status)));
            Assert.Equal([letter], (await cluster.Client.GetGrain<IWebhookGrain>(Name).ListDeadLettersAsync(0, 10)).DeadLetters);
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) =>
        Poll.UntilAsync(condition, TimeSpan.FromSeconds(30), "the condition did not hold within 30 s", TimeSpan.FromMilliseconds(50));
}

/// <summary>The crash on SQLite.</summary>
public sealed class SqliteWebhookDeadLetterCrashTests : WebhookDeadLetterCrashTests
{
    protected override Task<Dictionary<string, string?>> StorageAsync() => Task.FromResult(new Dictionary<string, string?>());

    protected override ILedgerStore RealStore(IServiceProvider services) => services.GetRequiredService<SqliteLedgerStore>();
}

/// <summary>The crash on PostgreSQL, in a database of its own.</summary>
[Collection(PostgresDefinition.Name)]
public sealed class PostgresWebhookDeadLetterCrashTests(PostgresServer server) : WebhookDeadLetterCrashTests, IAsyncLifetime
{
    private string? _database;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await server.DropDatabaseAsync(_database);
        }
    }

    protected override async Task<Dictionary<string, string?>> StorageAsync()
    {
        _database = await server.CreateDatabaseAsync();
        return new Dictionary<string, string?>
        {
            [$"{StorageOptions.SectionName}:{nameof(StorageOptions.Provider)}"] = StorageOptions.PostgreSql,
            [$"{StorageOptions.SectionName}:{nameof(StorageOptions.ConnectionString)}"] = _database,
        };
    }

    protected override ILedgerStore RealStore(IServiceProvider services) => services.GetRequiredService<PostgresLedgerStore>();
}
