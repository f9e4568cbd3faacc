using Entitlements.Contracts;
using Entitlements.Hosting;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Entitlements.Tests.Outage;

/// <summary>
/// A player grain whose append fails: it never keeps in memory an event that was not committed, nor
/// misses one whose acknowledgement was lost; the same request sent again is recorded exactly once. And
/// one whose ledger another activation writes to in the middle of a decision.
/// </summary>
public sealed class PlayerGrainStoreFailureTests(PlayerGrainStoreFailureTests.FaultyCluster fixture) : IClassFixture<PlayerGrainStoreFailureTests.FaultyCluster>
{
    private const long Units = 10;
    private readonly GrainWorld _world = new(fixture.Client);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Append_FailsBeforeCommit_StateHasNothingAndTheRetryRecordsItOnce(bool transient)
    {
        var (user, sku, command) = await GrantAsync();
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: false, transient));

        var first = await SubmitOrFailAsync(command);

        if (transient)
        {
            // A dropped connection: retried at once on a fresh one, and recorded.
            Assert.Equal(EntitlementEventOutcome.Recorded, first!.Outcome);
        }
        else
        {
            Assert.Null(first);
            Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
            Assert.Empty((await EntitlementsAsync(user)).Entitlements);
        }

        // Sent again: recorded now, or (after the transparent retry) the replay of what was recorded.
        var again = await _world.Events.SubmitAsync(command);
        Assert.Equal(transient ? EntitlementEventOutcome.Replayed : EntitlementEventOutcome.Recorded, again.Outcome);
        var recorded = Assert.Single(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Equal(recorded.EventId, again.Event!.EventId);
        Assert.Equal(Units, Assert.Single((await EntitlementsAsync(user)).Entitlements).UseCount);
        Assert.Equal(sku.ItemId, Assert.Single((await EntitlementsAsync(user)).Entitlements).ItemId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Append_CommitsButTheAcknowledgementIsLost_StateHasTheEventAndTheRetryFindsIt(bool transient)
    {
        var (user, _, command) = await GrantAsync();
        fixture.Faults.FailNextAppend(new AppendFault(AfterCommit: true, transient));

        var first = await SubmitOrFailAsync(command);

        var recorded = Assert.Single(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        if (transient)
        {
            // Retried at once: the new decision finds the committed event instead of appending it again.
            Assert.Equal(recorded.EventId, first!.Event!.EventId);
        }
        else
        {
            Assert.Null(first);
        }

        var state = await EntitlementsAsync(user);
        Assert.Equal(Units, Assert.Single(state.Entitlements).UseCount);
        Assert.Equal(1, state.Version);
        var again = await _world.Events.SubmitAsync(command);
        Assert.Equal(EntitlementEventOutcome.Replayed, again.Outcome);
        Assert.Equal(recorded.EventId, again.Event!.EventId);
        Assert.Single(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Equal(Units, Assert.Single((await EntitlementsAsync(user)).Entitlements).UseCount);
    }

    [Fact]
    public async Task Refund_AnotherActivationChargesBackBetweenTheTransactionReadAndTheReload_TakesNothingMore()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable);

        // This activation holds another purchase, so that the transaction revoked twice shows in the balance.
        await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, GrainWorld.Unique("tx-other"), quantity: 100);
        var transactionId = GrainWorld.Unique("tx");

        // A second activation of the player (possible briefly when a silo fails) grants the transaction, then
        // charges it back just after this activation has read the transaction for a refund.
        await AppendAsAnotherActivationAsync(user, sku, EntitlementActionType.Grant, transactionId, quantity: 10);
        fixture.Faults.AfterNextTransactionRead(() => AppendAsAnotherActivationAsync(user, sku, EntitlementActionType.Chargeback, transactionId, quantity: 1));

        // Sent to the player's grain: a refund without a player UUID is routed by a read of its transaction,
        // which would take the hook's turn before the grain's own read.
        var refund = await _world.Events.SubmitAsync(Command(EntitlementActionType.Refund, user, sku, transactionId) with { PlayerUuid = user.PlayerUuid });

        // The refund catches up with the chargeback as well as the grant: the money is back once, and the
        // refund takes nothing (it used to decide with the chargeback in its state but not in its
        // transaction, and revoke the grant a second time).
        Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
        Assert.Equal(4, refund.Event!.Version);
        var recorded = await fixture.Store.ReadTransactionAsync(Platform.Steam, transactionId);
        Assert.Equal(
            [(EntitlementActionType.Grant, 10L), (EntitlementActionType.Chargeback, -10L), (EntitlementActionType.Refund, 0L)],
            recorded.Select(e => (e.Entitlement!.ActionType, e.Effect?.Units ?? 0)));
        var state = await EntitlementsAsync(user);
        Assert.Equal(4, state.Version);
        Assert.Equal(100, Assert.Single(state.Entitlements).UseCount);
    }

    [Fact]
    public async Task Refund_NamingNoPlayer_GrantCommitsAfterTheRefundReadItsTransaction_FollowsTheGrant()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: Units);
        var transactionId = GrainWorld.Unique("tx");
        EntitlementEventRecord? grant = null;

        // The refund reads its transaction (no grant yet), and the grant, for the player the platform user is
        // linked to, commits before the refund reaches the player it names, who does not exist.
        fixture.Faults.AfterNextTransactionRead(async () => grant = await _world.SubmitAsync(EntitlementActionType.Grant, user, sku, transactionId));
        var refund = await _world.Events.SubmitAsync(Command(EntitlementActionType.Refund, user, sku, transactionId) with { PlayerUuid = Guid.NewGuid() });

        // It follows the grant, as it does when sent after it (it used to be answered UnknownPlayer, a 404).
        Assert.NotNull(grant);
        Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
        Assert.Equal(user.PlayerUuid, refund.Event!.PlayerUuid);
        Assert.Equal(EntitlementEventStatus.Success, refund.Event.Status);
        var recorded = await fixture.Store.ReadTransactionAsync(Platform.Steam, transactionId);
        Assert.Equal(
            [(EntitlementActionType.Grant, Units), (EntitlementActionType.Refund, -Units)],
            recorded.Select(e => (e.Entitlement!.ActionType, e.Effect?.Units ?? 0)));
        Assert.DoesNotContain((await EntitlementsAsync(user)).Entitlements, e => e.UseCount != 0);
    }

    /// <summary>
    /// A store failure that is not transient while the player's grain activates fails the waiting call as
    /// <see cref="StoreUnavailableException"/>, which a caller in another process can read (the driver's own
    /// exception cannot be sent); once the store answers, the next call activates it.
    /// </summary>
    [Fact]
    public async Task Activation_PlayerReadFailsNotTransiently_TheCallerGetsStoreUnavailableThenTheNextCallWorks()
    {
        var player = Guid.NewGuid();
        fixture.Faults.FailPlayerReads(player);
        try
        {
            var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => fixture.Client.GetGrain<IPlayerGrain>(player).GetEntitlementsAsync());
            Assert.Equal($"The ledger store failed: {FaultyLedgerStore.Message}", failure.Message);
        }
        finally
        {
            fixture.Faults.FailPlayerReads(null);
        }

        Assert.Null(await fixture.Client.GetGrain<IPlayerGrain>(player).GetEntitlementsAsync());
    }

    private async Task<(PlatformUserLink User, CatalogSku Sku, SubmitEntitlementEvent Command)> GrantAsync()
    {
        var user = await _world.NewPlayerAsync();
        var sku = await _world.PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: Units);
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = user.Platform,
            PlatformUserId = user.PlatformUserId,
            Sku = sku.Sku,
            Quantity = 1,
            PlatformTransactionId = GrainWorld.Unique("tx"),
        };

        // Activate the player first, so that its state is in memory when the append fails.
        Assert.Empty((await EntitlementsAsync(user)).Entitlements);
        return (user, sku, command);
    }

    private static SubmitEntitlementEvent Command(EntitlementActionType action, PlatformUserLink user, CatalogSku sku, string transactionId, long quantity = 1) => new()
    {
        ActionType = action,
        Platform = user.Platform,
        PlatformUserId = user.PlatformUserId,
        Sku = sku.Sku,
        Quantity = quantity,
        PlatformTransactionId = transactionId,
    };

    /// <summary>Decide and append an event as another activation of the player would: on the ledger as stored, past this activation's state.</summary>
    private async Task AppendAsAnotherActivationAsync(PlatformUserLink user, CatalogSku sku, EntitlementActionType action, string transactionId, long quantity)
    {
        var state = LedgerFold.ApplyAll(LedgerState.Empty, await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100));
        var player = await fixture.Store.ReadPlayerAsync(user.PlayerUuid);
        var transaction = await fixture.Store.ReadTransactionAsync(Platform.Steam, transactionId);
        var decided = EntitlementDecider.DecideEntitlementEvent(
            state, player!, Command(action, user, sku, transactionId, quantity), sku, transaction, Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        Assert.Equal(AppendOutcome.Appended, (await fixture.Store.AppendAsync(decided)).Outcome);
    }

    /// <summary>The result, or null when the call failed (the failure reaches the caller, whatever type it arrives as).</summary>
    private async Task<EntitlementEventResult?> SubmitOrFailAsync(SubmitEntitlementEvent command)
    {
        try
        {
            return await _world.Events.SubmitAsync(command);
        }
        catch (StoreUnavailableException exception)
        {
            // The driver's exception, carried across Orleans as a serializable one.
            Assert.Contains(FaultyLedgerStore.Message, exception.Message, StringComparison.Ordinal);
            return null;
        }
    }

    private async Task<PlayerEntitlements> EntitlementsAsync(PlatformUserLink user) =>
        (await fixture.Client.GetGrain<IPlayerGrain>(user.PlayerUuid).GetEntitlementsAsync())!;

    /// <summary>A one-silo cluster on SQLite whose store fails appends on demand.</summary>
    public sealed class FaultyCluster : IAsyncLifetime, IDisposable
    {
        private readonly TempDirectory _directory = new();
        private InProcessTestCluster? _cluster;

        public IClusterClient Client => _cluster!.Client;

        public ILedgerStore Store => _cluster!.Silos[0].ServiceProvider.GetRequiredService<SqliteLedgerStore>();

        public FaultyLedgerStore Faults => (FaultyLedgerStore)(object)_cluster!.Silos[0].ServiceProvider.GetRequiredService<ILedgerStore>();

        public async Task InitializeAsync()
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = _directory.Path,
                ["Catalog:SeedFile"] = string.Empty,
            }).Build();
            var builder = new InProcessTestClusterBuilder(1);
            builder.ConfigureSilo((_, silo) =>
            {
                silo.AddEntitlements(configuration);
                silo.Services.AddSingleton(sp => FaultyLedgerStore.Wrap(sp.GetRequiredService<SqliteLedgerStore>()).Store);
            });
            _cluster = builder.Build();
            await _cluster.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
            }
        }

        public void Dispose() => _directory.Dispose();
    }
}
