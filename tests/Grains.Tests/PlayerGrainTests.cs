using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Cluster;
using Entitlements.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Entitlements.Tests;

/// <summary>The player grain on SQLite; <c>PostgresPlayerGrainTests</c> runs the same tests on PostgreSQL.</summary>
[Collection(ClusterDefinition.Name)]
public class PlayerGrainTests(ClusterFixture fixture)
{
    private const long GrantLootId = GrainWorld.GrantLootId;
    private const long RefundLootId = GrainWorld.RefundLootId;

    private IClusterClient Client => fixture.Client;

    private IEntitlementEventsGrain Events => Client.GetGrain<IEntitlementEventsGrain>(0);

    /// <summary>The grain factory of code running in the silo, whose calls pass their arguments as they are, not serialized.</summary>
    private IGrainFactory InSilo => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task Submit_GrantForLinkedPlatformUser_RecordsGrantForThatPlayer()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        var command = Command(EntitlementActionType.Grant, user, sku, quantity: 3) with { PlatformDataJson = """{"order":"A1"}""" };
        var before = DateTimeOffset.UtcNow;

        var result = await Events.SubmitAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        var recorded = Assert.IsType<EntitlementEventRecord>(result.Event);
        Assert.InRange(recorded.Created, before.AddTicks(-TimeSpan.TicksPerMicrosecond), DateTimeOffset.UtcNow);
        var expected = new EntitlementEventRecord
        {
            EventId = recorded.EventId,
            ActionType = EntitlementActionType.Grant,
            EntitlementType = EntitlementType.Consumable,
            Status = EntitlementEventStatus.Success,
            PlayerUuid = user.PlayerUuid,
            PlayerId = user.PlayerId,
            Platform = Platform.Steam,
            PlatformUserId = user.PlatformUserId,
            Sku = sku.Sku,
            Quantity = 3,
            PlatformTransactionId = command.PlatformTransactionId,
            PlatformDataJson = """{"order":"A1"}""",
            OrderId = recorded.EventId,
            LootId = GrantLootId,
            Created = recorded.Created,
            LastModified = recorded.Created,
            Version = 1,
        };
        Assert.Equal(expected, recorded);

        var entitlements = await Player(user).GetEntitlementsAsync();

        Assert.NotNull(entitlements);
        Assert.Equal(user.PlayerUuid, entitlements.PlayerUuid);
        Assert.Equal(1, entitlements.Version);
        var entitlement = new PlayerEntitlement
        {
            EntitlementId = recorded.EventId,
            PlayerUuid = user.PlayerUuid,
            ItemId = sku.ItemId,
            Name = "Gems",
            Sku = sku.Sku,
            Type = EntitlementType.Consumable,
            Clazz = EntitlementClazz.Entitlement,
            Status = EntitlementStatus.Active,
            UseCount = 30,
            GrantedAt = recorded.Created,
            CreatedAt = recorded.Created,
            UpdatedAt = recorded.Created,
            ItemClass = "currency",
        };
        Assert.Equal([entitlement], entitlements.Entitlements);
    }

    [Fact]
    public async Task Submit_ExplicitPlayerUuid_RecordsEventForThatPlayerNotTheLinkedOne()
    {
        var target = await NewPlayerAsync();
        var linked = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Durable);
        var command = Command(EntitlementActionType.Grant, linked, sku) with { PlayerUuid = target.PlayerUuid };

        var result = await Events.SubmitAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        Assert.Equal(target.PlayerUuid, result.Event!.PlayerUuid);
        Assert.Equal(target.PlayerId, result.Event.PlayerId);
        Assert.Equal(linked.PlatformUserId, result.Event.PlatformUserId);
        Assert.Equal(EntitlementType.Durable, result.Event.EntitlementType);
        var targetEntitlement = Assert.Single((await Player(target).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal(sku.ItemId, targetEntitlement.ItemId);
        Assert.Equal(1, targetEntitlement.UseCount);
        Assert.Equal(EntitlementStatus.Active, targetEntitlement.Status);
        Assert.Empty((await Player(linked).GetEntitlementsAsync())!.Entitlements);
    }

    [Fact]
    public async Task Submit_ExplicitPlayerUuidOfUnlinkedPlatformUser_RecordsEventForThatPlayer()
    {
        var target = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            PlayerUuid = target.PlayerUuid,
            Platform = Platform.Steam,
            PlatformUserId = Unique("unlinked"),
            Sku = sku.Sku,
            Quantity = 4,
            PlatformTransactionId = Unique("tx"),
        };

        var result = await Events.SubmitAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        Assert.Equal(EntitlementEventStatus.Success, result.Event!.Status);
        Assert.Equal(target.PlayerUuid, result.Event.PlayerUuid);
        Assert.Equal(4, Assert.Single((await Player(target).GetEntitlementsAsync())!.Entitlements).UseCount);
    }

    [Fact]
    public async Task Submit_UnknownExplicitPlayerUuid_ReturnsUnknownPlayer()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlayerUuid = Guid.NewGuid() };

        var result = await Events.SubmitAsync(command);

        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.UnknownPlayer, null), result);
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Null(await Client.GetGrain<IPlayerGrain>(command.PlayerUuid!.Value).GetEntitlementsAsync());
    }

    [Fact]
    public async Task Submit_UnlinkedPlatformUser_RecordsPlayerNotFoundWithNoPlayer()
    {
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.Steam,
            PlatformUserId = Unique("unlinked"),
            Sku = sku.Sku,
            Quantity = 2,
            PlatformTransactionId = Unique("tx"),
        };

        var result = await Events.SubmitAsync(command);
        var replay = await Events.SubmitAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        var recorded = result.Event!;
        var expected = new EntitlementEventRecord
        {
            EventId = recorded.EventId,
            ActionType = EntitlementActionType.Grant,
            EntitlementType = EntitlementType.Consumable,
            Status = EntitlementEventStatus.PlayerNotFound,
            Platform = Platform.Steam,
            PlatformUserId = command.PlatformUserId,
            Sku = sku.Sku,
            Quantity = 2,
            PlatformTransactionId = command.PlatformTransactionId,
            LootId = GrantLootId,
            Created = recorded.Created,
            LastModified = recorded.Created,
        };
        Assert.Equal(expected, recorded);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, recorded), replay);
        var stored = Assert.Single(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Null(stored.PlayerUuid);
        Assert.Null(stored.Version);
        Assert.Null(stored.Effect);
        Assert.Contains(recorded, await ListAllAsync());
    }

    [Fact]
    public async Task Routing_LinkedUnlinkedAndExplicitPlayers_ReachTheGrainsTheWorkerWould()
    {
        var linked = await NewPlayerAsync();
        var explicitPlayer = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var toLinked = Command(EntitlementActionType.Grant, linked, sku, quantity: 2);
        var toExplicit = Command(EntitlementActionType.Grant, linked, sku) with { PlayerUuid = explicitPlayer.PlayerUuid };
        var toNobody = Command(EntitlementActionType.Grant, linked, sku) with { PlatformUserId = Unique("unlinked") };

        var linkedResult = await Client.SubmitEntitlementEventAsync(Events, toLinked);
        var explicitResult = await Client.SubmitEntitlementEventAsync(Events, toExplicit);
        var nobodyResult = await Client.SubmitEntitlementEventAsync(Events, toNobody);
        var unknown = await Client.SubmitEntitlementEventAsync(Events, toLinked with { PlayerUuid = Guid.NewGuid(), PlatformTransactionId = Unique("tx") });

        Assert.Equal((EntitlementEventOutcome.Recorded, linked.PlayerUuid), (linkedResult.Outcome, linkedResult.Event!.PlayerUuid));
        Assert.Equal((EntitlementEventOutcome.Recorded, explicitPlayer.PlayerUuid), (explicitResult.Outcome, explicitResult.Event!.PlayerUuid));
        Assert.Equal((EntitlementEventOutcome.Recorded, EntitlementEventStatus.PlayerNotFound, (Guid?)null), (nobodyResult.Outcome, nobodyResult.Event!.Status, nobodyResult.Event.PlayerUuid));
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.UnknownPlayer, null), unknown);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, linkedResult.Event), await Events.SubmitAsync(toLinked));
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, nobodyResult.Event), await Events.SubmitAsync(toNobody));
        Assert.Equal(2, Assert.Single((await Player(linked).GetEntitlementsAsync())!.Entitlements).UseCount);
        Assert.Equal(1, Assert.Single((await Player(explicitPlayer).GetEntitlementsAsync())!.Entitlements).UseCount);
    }

    [Fact]
    public async Task Submit_SamePayloadTwice_ReturnsOriginalRecord()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku, quantity: 5);
        var first = await Events.SubmitAsync(command);

        var second = await Events.SubmitAsync(command);
        var direct = await Player(user).SubmitEntitlementEventAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, first.Outcome);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, first.Event), second);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, first.Event), direct);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(1, entitlements!.Version);
        Assert.Equal(5, Assert.Single(entitlements.Entitlements).UseCount);
    }

    [Fact]
    public async Task Submit_SameKeyWithDifferentPayload_ReturnsConflictWithOriginalRecord()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku, quantity: 5);
        var first = await Events.SubmitAsync(command);

        var conflict = await Events.SubmitAsync(command with { Quantity = 6 });

        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Conflict, first.Event), conflict);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(1, entitlements!.Version);
        Assert.Equal(5, Assert.Single(entitlements.Entitlements).UseCount);
    }

    [Fact]
    public async Task Submit_EventRecordedWithEscapedPlatformData_IsReplayedByTheSameRequestUnescaped()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        // The gateway once stored platform_data with every non-ASCII and HTML-sensitive character escaped; it
        // now keeps the caller's characters, so a retry of an event recorded then arrives unescaped. The grains
        // store the unescaped form now whatever they are sent, so the events of then are appended as they were.
        var escaped = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = """{"n":1,"note":"caf\u00E9 \u002B \u4E2D \u003C"}""" };
        var first = await AppendAsRecordedThenAsync(user, sku, escaped);
        var refund = await AppendAsRecordedThenAsync(user, sku, escaped with { ActionType = EntitlementActionType.Refund });

        var replay = await Events.SubmitAsync(escaped with { PlatformDataJson = """{"n":1,"note":"café + 中 <"}""" });
        var refundReplay = await Events.SubmitAsync(escaped with { ActionType = EntitlementActionType.Refund, PlatformDataJson = """{"n":1,"note":"café + 中 <"}""" });
        var changed = await Events.SubmitAsync(escaped with { PlatformDataJson = """{"n":1,"note":"cafe + 中 <"}""" });

        Assert.Equal((EntitlementEventOutcome.Replayed, first.EventId), (replay.Outcome, replay.Event!.EventId));
        Assert.Equal((EntitlementEventOutcome.Replayed, refund.EventId), (refundReplay.Outcome, refundReplay.Event!.EventId));
        Assert.Equal((EntitlementEventOutcome.Conflict, first.EventId), (changed.Outcome, changed.Event!.EventId));
        Assert.Equal(2, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    [Fact]
    public async Task Submit_EventAnOrleansClientRecordedWithItsOwnKeyOrder_IsReplayedByItsRetry()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        // The grains once stored an Orleans client's platform data as it came, with the fingerprint of that
        // text; they now rewrite it canonically before comparing. The client's retry of such an event, in its
        // own key order or in any other, is still its replay; other data is still a conflict.
        var asSent = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = """{ "orderId": "1", "appId": "2" }""" };
        var first = await AppendAsRecordedThenAsync(user, sku, asSent);

        var retry = await Events.SubmitAsync(asSent);
        var reordered = await Events.SubmitAsync(asSent with { PlatformDataJson = """{"appId":"2","orderId":"1"}""" });
        var changed = await Events.SubmitAsync(asSent with { PlatformDataJson = """{"appId":"2","orderId":"9"}""" });

        Assert.Equal((EntitlementEventOutcome.Replayed, first.EventId), (retry.Outcome, retry.Event!.EventId));
        Assert.Equal((EntitlementEventOutcome.Replayed, first.EventId), (reordered.Outcome, reordered.Event!.EventId));
        Assert.Equal((EntitlementEventOutcome.Conflict, first.EventId), (changed.Outcome, changed.Event!.EventId));
        Assert.Equal(1, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>Append <paramref name="command"/> as the grains decided it, with its platform data as given (not made canonical): an event recorded by an earlier version.</summary>
    private async Task<LedgerEvent> AppendAsRecordedThenAsync(PlatformUserLink user, CatalogSku sku, SubmitEntitlementEvent command)
    {
        var state = LedgerFold.ApplyAll(LedgerState.Empty, await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100));
        var transaction = await fixture.Store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId);
        var player = new PlayerInfo(user.PlayerUuid, user.PlayerId, user.Created);
        var decided = EntitlementDecider.DecideEntitlementEvent(state, player, command, sku, transaction, Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        var (outcome, appended) = await fixture.Store.AppendAsync(decided);
        Assert.Equal(AppendOutcome.Appended, outcome);
        Assert.Equal(command.PlatformDataJson, appended!.Entitlement!.PlatformDataJson);
        return appended;
    }

    [Fact]
    public async Task Submit_GrantAfterItsRefund_RecordsGrantThatGivesNothing()
    {
        // A grant is first decided without reading its transaction; the store refuses that decision here
        // (the refund is there), and the grain decides again with the refund in view.
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, user, sku, quantity: 5);
        var refund = await Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund });

        var granted = await Events.SubmitAsync(grant);
        var replayed = await Events.SubmitAsync(grant);

        Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
        Assert.Equal(EntitlementEventOutcome.Recorded, granted.Outcome);
        Assert.Equal((EntitlementEventStatus.Success, 2L, EntitlementActionType.Grant), (granted.Event!.Status, granted.Event.Version!.Value, granted.Event.ActionType));
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, granted.Event), replayed);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(2, entitlements!.Version);
        Assert.Empty(entitlements.Entitlements);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Grant_AfterItsRefundWasRecordedForAnotherPlayer_GivesNothing(bool explicitPlayer)
    {
        // The refund came first, while the platform user was linked to the first player; the grant then goes
        // to another player (the link moved, or the grant names one). The transaction is refunded all the same.
        var first = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 5);
        var refund = await SubmitAsync(grant with { ActionType = EntitlementActionType.Refund });
        Assert.Equal((first.PlayerUuid, EntitlementEventStatus.Success, null), (refund.PlayerUuid, refund.Status, refund.OrderId));
        var other = explicitPlayer ? await NewPlayerAsync() : await RelinkAsync(first);

        var granted = await SubmitAsync(explicitPlayer ? grant with { PlayerUuid = other.PlayerUuid } : grant);

        Assert.Equal(
            (other.PlayerUuid, EntitlementEventStatus.Success, granted.EventId, 1L),
            (granted.PlayerUuid, granted.Status, granted.OrderId, granted.Version!.Value));
        Assert.Empty((await Player(other).GetEntitlementsAsync())!.Entitlements);
        Assert.Empty((await Player(first).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, granted), await Events.SubmitAsync(explicitPlayer ? grant with { PlayerUuid = other.PlayerUuid } : grant));
    }

    [Fact]
    public async Task Refund_OfAGrantRecordedBeforeThePlatformUserWasRelinked_RevokesItFromThatPlayer()
    {
        // The same events as above in the other order: the grant first, then the relink, then the refund.
        var first = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 5);
        var granted = await SubmitAsync(grant);
        var other = await RelinkAsync(first);

        var refund = await SubmitAsync(grant with { ActionType = EntitlementActionType.Refund });

        Assert.Equal((first.PlayerUuid, EntitlementEventStatus.Success, granted.EventId), (refund.PlayerUuid, refund.Status, refund.OrderId));
        var revoked = Assert.Single((await Player(first).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal((EntitlementStatus.Revoked, 0L), (revoked.Status, revoked.UseCount));
        Assert.Empty((await Player(other).GetEntitlementsAsync())!.Entitlements);
    }

    [Fact]
    public async Task Grant_AfterItsChargebackWasRecordedForAnotherPlayer_GivesNothingUntilTheReversal()
    {
        var first = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 2);
        var chargeback = await SubmitAsync(grant with { ActionType = EntitlementActionType.Chargeback });
        Assert.Equal(first.PlayerUuid, chargeback.PlayerUuid);
        var other = await RelinkAsync(first);

        var granted = await SubmitAsync(grant);
        Assert.Equal((other.PlayerUuid, EntitlementEventStatus.Success), (granted.PlayerUuid, granted.Status));
        Assert.Empty((await Player(other).GetEntitlementsAsync())!.Entitlements);

        // The reversal follows the grant to its player, and gives what the chargeback blocked.
        var reversal = await SubmitAsync(grant with { ActionType = EntitlementActionType.ChargebackReversal });

        Assert.Equal((other.PlayerUuid, granted.EventId), (reversal.PlayerUuid, reversal.OrderId));
        var given = Assert.Single((await Player(other).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal((EntitlementStatus.Active, 20L), (given.Status, given.UseCount));
        Assert.Empty((await Player(first).GetEntitlementsAsync())!.Entitlements);
    }

    [Fact]
    public async Task Chargeback_AfterItsReversalWasRecordedForAnotherPlayer_TakesNothing()
    {
        // The reversal came first and settled the dispute, whichever player the grant then went to.
        var first = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 2);
        var reversal = await SubmitAsync(grant with { ActionType = EntitlementActionType.ChargebackReversal });
        Assert.Equal(first.PlayerUuid, reversal.PlayerUuid);
        var other = await RelinkAsync(first);
        var granted = await SubmitAsync(grant);

        var chargeback = await SubmitAsync(grant with { ActionType = EntitlementActionType.Chargeback });

        Assert.Equal((other.PlayerUuid, EntitlementEventStatus.Success, granted.EventId), (chargeback.PlayerUuid, chargeback.Status, chargeback.OrderId));
        var kept = Assert.Single((await Player(other).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal((EntitlementStatus.Active, 20L), (kept.Status, kept.UseCount));
    }

    [Fact]
    public async Task Refund_NamingAnotherPlayerOnceTheGrantStood_RevokesFromThePlayerWhoGotTheGrant()
    {
        // A revocation follows its transaction's grant whatever player it names: sent to a player who never got
        // the grant it would take nothing and leave the goods where they are.
        var holder = await NewPlayerAsync();
        var stranger = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, holder, sku, quantity: 5);
        var granted = await SubmitAsync(grant);

        var refund = await SubmitAsync(grant with { ActionType = EntitlementActionType.Refund, PlayerUuid = stranger.PlayerUuid });
        var replayed = await Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund, PlayerUuid = stranger.PlayerUuid });
        var chargeback = await SubmitAsync(grant with { ActionType = EntitlementActionType.Chargeback });

        Assert.Equal((holder.PlayerUuid, EntitlementEventStatus.Success, granted.EventId), (refund.PlayerUuid, refund.Status, refund.OrderId));
        Assert.Equal((EntitlementEventOutcome.Replayed, refund), (replayed.Outcome, replayed.Event));
        Assert.Equal((holder.PlayerUuid, granted.EventId), (chargeback.PlayerUuid, chargeback.OrderId));
        var revoked = Assert.Single((await Player(holder).GetEntitlementsAsync())!.Entitlements);
        Assert.Equal((EntitlementStatus.Revoked, 0L), (revoked.Status, revoked.UseCount));
        Assert.Empty((await Player(stranger).GetEntitlementsAsync())!.Entitlements);
    }

    [Fact]
    public async Task Refund_NamingAnotherPlayerBeforeTheGrant_IsRecordedForThatPlayerAndBlocksTheGrant()
    {
        // The other order of the test above ends the same: the holder keeps nothing.
        var holder = await NewPlayerAsync();
        var stranger = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, holder, sku, quantity: 5);

        var refund = await SubmitAsync(grant with { ActionType = EntitlementActionType.Refund, PlayerUuid = stranger.PlayerUuid });
        var granted = await SubmitAsync(grant);

        Assert.Equal((stranger.PlayerUuid, EntitlementEventStatus.Success, null), (refund.PlayerUuid, refund.Status, refund.OrderId));
        Assert.Equal((holder.PlayerUuid, EntitlementEventStatus.Success), (granted.PlayerUuid, granted.Status));
        Assert.Empty((await Player(holder).GetEntitlementsAsync())!.Entitlements);
        Assert.Empty((await Player(stranger).GetEntitlementsAsync())!.Entitlements);
    }

    [Fact]
    public async Task Refund_RoutedWhileItsGrantCommitsAndThePlatformUserIsRelinked_RevokesFromThePlayerWhoGotTheGrant()
    {
        var first = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 5);
        var release = HoldGrantOf(grant.PlatformTransactionId, out var held);
        try
        {
            // The grant is appended for the first player, not yet committed, when the link moves and the refund
            // arrives: the router finds no grant and sends the refund to the player linked now.
            var granting = Events.SubmitAsync(grant);
            await held.WaitAsync(HoldDeadline);
            var other = await RelinkAsync(first);
            var refunding = Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund });
            await Poll.UntilAsync(() => Appends.QueuedCount > 0, HoldDeadline, "The refund's append never queued behind the held grant.");
            release.SetResult();

            var granted = (await granting).Event!;
            var refund = await refunding;

            // The grant committed first: the refund, decided with no grant in view, is refused, and routed again.
            Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
            Assert.Equal(
                (first.PlayerUuid, EntitlementEventStatus.Success, granted.EventId),
                (refund.Event!.PlayerUuid, refund.Event.Status, refund.Event.OrderId));
            var revoked = Assert.Single((await Player(first).GetEntitlementsAsync())!.Entitlements);
            Assert.Equal((EntitlementStatus.Revoked, 0L), (revoked.Status, revoked.UseCount));
            Assert.Empty((await Player(other).GetEntitlementsAsync())!.Entitlements);
            Assert.Equal(2, (await fixture.Store.ReadTransactionAsync(Platform.Steam, grant.PlatformTransactionId)).Count);
        }
        finally
        {
            Appends.TestHookBeforeBatch = null;
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Refund_OfAnUnlinkedUserArrivingWhileItsGrantToAnExplicitPlayerCommits_RevokesFromThatPlayer()
    {
        var player = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, player, sku, quantity: 5) with { PlatformUserId = Unique("unlinked"), PlayerUuid = player.PlayerUuid };
        var release = HoldGrantOf(grant.PlatformTransactionId, out var held);
        try
        {
            // The platform user is linked to nobody: the refund used to be recorded with no player
            // (player_not_found) on a read of its transaction made before the grant committed.
            var granting = Events.SubmitAsync(grant);
            await held.WaitAsync(HoldDeadline);
            var refunding = Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund, PlayerUuid = null });
            await Poll.UntilAsync(() => Appends.QueuedCount > 0, HoldDeadline, "The refund's append never queued behind the held grant.");
            release.SetResult();

            var granted = (await granting).Event!;
            var refund = await refunding;

            Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
            Assert.Equal(
                (player.PlayerUuid, EntitlementEventStatus.Success, granted.EventId),
                (refund.Event!.PlayerUuid, refund.Event.Status, refund.Event.OrderId));
            var revoked = Assert.Single((await Player(player).GetEntitlementsAsync())!.Entitlements);
            Assert.Equal((EntitlementStatus.Revoked, 0L), (revoked.Status, revoked.UseCount));
        }
        finally
        {
            Appends.TestHookBeforeBatch = null;
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Grant_DecidedWhileItsRefundForAnotherPlayerCommits_GivesNothing()
    {
        // A reversal recorded for the first player makes the grant (sent to another player) be decided with its
        // transaction read; the refund, also the first player's, commits between that read and the grant's
        // append. Had the refund come before the grant's read, the grant would give nothing: so it must here.
        var first = await NewPlayerAsync();
        var other = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = Command(EntitlementActionType.Grant, first, sku, quantity: 5) with { PlayerUuid = other.PlayerUuid };
        var reversal = await SubmitAsync(grant with { ActionType = EntitlementActionType.ChargebackReversal, PlayerUuid = null });
        Assert.Equal(first.PlayerUuid, reversal.PlayerUuid);
        var releaseGrant = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseRefund = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var grantHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refundHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var grantBatches = 0;
        var grantBehindRefund = false;
        Appends.TestHookBeforeBatch = events =>
        {
            bool Holds(EntitlementActionType action) =>
                events.Any(e => e.Entitlement is { } record && record.ActionType == action && record.PlatformTransactionId == grant.PlatformTransactionId);
            if (Holds(EntitlementActionType.Refund))
            {
                Volatile.Write(ref grantBehindRefund, Holds(EntitlementActionType.Grant));
                refundHeld.TrySetResult();
                return releaseRefund.Task;
            }

            if (Holds(EntitlementActionType.Grant) && Interlocked.Increment(ref grantBatches) == 1)
            {
                grantHeld.TrySetResult();
                return releaseGrant.Task;
            }

            return Task.CompletedTask;
        };
        try
        {
            // The grant's first append (decided as the first of its transaction) is held; the refund is decided
            // meanwhile, with no grant in view, and queues behind it.
            var granting = Events.SubmitAsync(grant);
            await grantHeld.Task.WaitAsync(HoldDeadline);
            var refunding = Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund, PlayerUuid = null });
            await Poll.UntilAsync(() => Appends.QueuedCount > 0, HoldDeadline, "The refund's append never queued behind the held grant.");

            // The store refuses that grant (the reversal is there); while the refund's batch is held, the grant is
            // decided again on its transaction read without the refund, and queues.
            releaseGrant.SetResult();
            await refundHeld.Task.WaitAsync(HoldDeadline);
            await Poll.UntilAsync(
                () => Appends.QueuedCount > 0 || Volatile.Read(ref grantBehindRefund), HoldDeadline, "The grant's second append never queued behind the held refund.");
            releaseRefund.SetResult();

            var granted = await granting;
            var refund = (await refunding).Event!;

            Assert.Equal(EntitlementEventOutcome.Recorded, granted.Outcome);
            Assert.Equal(
                (other.PlayerUuid, EntitlementEventStatus.Success, granted.Event!.EventId, 1L),
                (granted.Event.PlayerUuid, granted.Event.Status, granted.Event.OrderId, granted.Event.Version!.Value));
            Assert.Equal((first.PlayerUuid, EntitlementEventStatus.Success, null, 2L), (refund.PlayerUuid, refund.Status, refund.OrderId, refund.Version!.Value));
            Assert.Empty((await Player(other).GetEntitlementsAsync())!.Entitlements);
            Assert.Empty((await Player(first).GetEntitlementsAsync())!.Entitlements);

            // In the ledger: the grant gave nothing and told nobody; the refund took nothing and said so.
            var transaction = await fixture.Store.ReadTransactionAsync(Platform.Steam, grant.PlatformTransactionId);
            Assert.Equal(
                [
                    (first.PlayerUuid, EntitlementActionType.ChargebackReversal, false, false, false),
                    (first.PlayerUuid, EntitlementActionType.Refund, false, false, true),
                    (other.PlayerUuid, EntitlementActionType.Grant, false, false, false),
                ],
                transaction.Select(e => (e.PlayerUuid!.Value, e.Entitlement!.ActionType, e.Effect is not null, e.EntitlementUpdated is not null, e.RevocationCompleted is not null)));
            Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, granted.Event), await Events.SubmitAsync(grant));
        }
        finally
        {
            Appends.TestHookBeforeBatch = null;
            releaseGrant.TrySetResult();
            releaseRefund.TrySetResult();
        }
    }

    [Fact]
    public async Task Submit_HundredConcurrentIdenticalEvents_RecordsOneEvent()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku, quantity: 7);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Events.SubmitAsync(command)));

        Assert.Equal(1, results.Count(r => r.Outcome == EntitlementEventOutcome.Recorded));
        Assert.Equal(99, results.Count(r => r.Outcome == EntitlementEventOutcome.Replayed));
        var recorded = results.Single(r => r.Outcome == EntitlementEventOutcome.Recorded).Event!;
        Assert.All(results, r => Assert.Equal(recorded, r.Event));
        var page = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid });
        Assert.Equal([recorded], page.Events);
        Assert.Null(page.Cursor);
        Assert.Equal(7, Assert.Single((await Player(user).GetEntitlementsAsync())!.Entitlements).UseCount);
    }

    [Fact]
    public async Task GetEntitlements_AfterDeactivation_ReturnsSameEntitlements()
    {
        var user = await NewPlayerAsync();
        var consumable = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        var durable = await PutSkuAsync(EntitlementType.Durable);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, consumable, quantity: 2));
        await SubmitAsync(Command(EntitlementActionType.Grant, user, durable));
        Assert.Equal(ConsumeOutcome.Consumed, (await Player(user).ConsumeAsync(new ConsumeEntitlement(consumable.ItemId, 6, Unique("op")))).Outcome);
        var before = await Player(user).GetEntitlementsAsync();

        await DeactivateAsync(Player(user));
        var after = await Player(user).GetEntitlementsAsync();

        Assert.Null(await fixture.Store.ReadSnapshotAsync(user.PlayerUuid));
        Assert.Equal(3, before!.Version);
        AssertSameEntitlements(before, after);
        Assert.Equal(14, after!.Entitlements.Single(e => e.ItemId == consumable.ItemId).UseCount);
    }

    [Fact]
    public async Task GetEntitlements_AfterDeactivationPastSnapshotInterval_ReturnsSameEntitlements()
    {
        var user = await NewPlayerAsync();
        var consumable = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10, policy: RevocationPolicy.AllowNegative);
        var durable = await PutSkuAsync(EntitlementType.Durable);
        var singleUse = await PutSkuAsync(EntitlementType.DurableSingleUse);
        var firstGrant = Command(EntitlementActionType.Grant, user, consumable, quantity: 3);
        await SubmitAsync(firstGrant);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, consumable, quantity: 1));
        await Player(user).ConsumeAsync(new ConsumeEntitlement(consumable.ItemId, 35, Unique("op")));
        await SubmitAsync(Command(EntitlementActionType.Grant, user, durable));
        await SubmitAsync(firstGrant with { ActionType = EntitlementActionType.Refund });
        await SubmitAsync(Command(EntitlementActionType.Grant, user, singleUse));
        await SubmitAsync(Command(EntitlementActionType.Grant, user, singleUse));
        var before = await Player(user).GetEntitlementsAsync();

        await DeactivateAsync(Player(user));
        var after = await Player(user).GetEntitlementsAsync();

        var snapshot = await fixture.Store.ReadSnapshotAsync(user.PlayerUuid);
        Assert.Equal(ClusterFixture.SnapshotEvery, snapshot!.State.Version);
        Assert.Equal(7, before!.Version);
        AssertSameEntitlements(before, after);
        Assert.Equal(-25, after!.Entitlements.Single(e => e.ItemId == consumable.ItemId).UseCount);
        Assert.Equal(1, after.Entitlements.Single(e => e.ItemId == singleUse.ItemId).UseCount);

        var next = await SubmitAsync(Command(EntitlementActionType.Grant, user, consumable, quantity: 3));

        Assert.Equal(8, next.Version);
        Assert.Equal(5, (await Player(user).GetEntitlementsAsync())!.Entitlements.Single(e => e.ItemId == consumable.ItemId).UseCount);
    }

    [Fact]
    public async Task List_TwoPerPageOverFiveEvents_ReturnsOldestFirstWithNullCursorOnLastPage()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var recorded = new List<EntitlementEventRecord>();
        for (var i = 1; i <= 5; i++)
        {
            recorded.Add(await SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity: i)));
        }

        var first = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 2 });
        var second = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 2, Cursor = first.Cursor });
        var third = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 2, Cursor = second.Cursor });

        Assert.Equal(recorded[0..2], first.Events);
        Assert.Equal(recorded[2..4], second.Events);
        Assert.Equal(recorded[4..5], third.Events);
        Assert.NotNull(first.Cursor);
        Assert.NotNull(second.Cursor);
        Assert.Null(third.Cursor);
        Assert.False(first.InvalidCursor || second.InvalidCursor || third.InvalidCursor);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], first.Events.Concat(second.Events).Concat(third.Events).Select(e => e.Version!.Value));
    }

    [Fact]
    public async Task List_CursorFromAnotherPlayer_ReturnsInvalidCursor()
    {
        var owner = await NewPlayerAsync();
        var other = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(Command(EntitlementActionType.Grant, owner, sku));
            await SubmitAsync(Command(EntitlementActionType.Grant, other, sku));
        }

        var ownersPage = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = owner.PlayerUuid, Limit = 2 });
        var borrowed = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = other.PlayerUuid, Limit = 2, Cursor = ownersPage.Cursor });
        var global = await Events.ListAsync(new EntitlementEventQuery { Limit = 2, Cursor = ownersPage.Cursor });

        Assert.NotNull(ownersPage.Cursor);
        Assert.True(borrowed.InvalidCursor);
        Assert.Empty(borrowed.Events);
        Assert.Null(borrowed.Cursor);
        Assert.True(global.InvalidCursor);
        Assert.Empty(global.Events);
    }

    [Fact]
    public async Task List_TamperedCursor_ReturnsInvalidCursor()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        }

        var page = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 1 });
        var cursor = page.Cursor!;
        var tampered = string.Concat(cursor[..20], cursor[20] == 'A' ? "B" : "A", cursor[21..]);

        foreach (var bad in new[] { tampered, cursor[..^1], cursor + "A", "not-a-cursor", string.Empty })
        {
            var result = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 1, Cursor = bad });

            Assert.True(result.InvalidCursor, $"cursor '{bad}' was accepted");
            Assert.Empty(result.Events);
            Assert.Null(result.Cursor);
        }

        Assert.False((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid, Limit = 1, Cursor = cursor })).InvalidCursor);
    }

    [Fact]
    public async Task List_ByDeprecatedPlayerId_ReturnsThatPlayersEvents()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var recorded = new List<EntitlementEventRecord>();
        for (var i = 0; i < 3; i++)
        {
            recorded.Add(await SubmitAsync(Command(EntitlementActionType.Grant, user, sku)));
        }

        var first = await Events.ListAsync(new EntitlementEventQuery { PlayerId = user.PlayerId, Limit = 2 });
        var second = await Events.ListAsync(new EntitlementEventQuery { PlayerId = user.PlayerId, Limit = 2, Cursor = first.Cursor });
        var byUuid = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid });

        Assert.Equal(recorded[0..2], first.Events);
        Assert.Equal(recorded[2..3], second.Events);
        Assert.Null(second.Cursor);
        Assert.Equal(recorded, byUuid.Events);
        Assert.All(recorded, e => Assert.Equal(user.PlayerId, e.PlayerId));
    }

    [Fact]
    public async Task List_UnknownPlayerId_ReturnsEmptyPage()
    {
        var page = await Events.ListAsync(new EntitlementEventQuery { PlayerId = long.MaxValue });

        Assert.Empty(page.Events);
        Assert.Null(page.Cursor);
        Assert.False(page.InvalidCursor);
    }

    [Fact]
    public async Task List_PlayerWithConsumption_ListsEntitlementEventsOnly()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var grant = await SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity: 5));
        await Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, 2, Unique("op")));
        var refund = await SubmitAsync(Command(EntitlementActionType.Refund, user, sku, quantity: 5) with { PlatformTransactionId = grant.PlatformTransactionId });

        var page = await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid });

        Assert.Equal([grant, refund], page.Events);
        Assert.Equal(3, refund.Version);
        Assert.Equal(grant.EventId, refund.OrderId);
        Assert.Equal(RefundLootId, refund.LootId);
    }

    [Fact]
    public async Task Consume_SameOperationIdTwice_ConsumesOnce()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity: 10));
        var consume = new ConsumeEntitlement(sku.ItemId, 3, Unique("op"));

        var first = await Player(user).ConsumeAsync(consume);
        var second = await Player(user).ConsumeAsync(consume);
        await DeactivateAsync(Player(user));
        var afterReactivation = await Player(user).ConsumeAsync(consume);
        var conflict = await Player(user).ConsumeAsync(consume with { Quantity = 4 });

        Assert.Equal(ConsumeOutcome.Consumed, first.Outcome);
        Assert.Equal(7, first.Entitlement!.UseCount);
        Assert.Equal(EntitlementStatus.Active, first.Entitlement.Status);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.Replayed, first.Entitlement), second);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.Replayed, first.Entitlement), afterReactivation);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.Conflict, null), conflict);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(2, entitlements!.Version);
        Assert.Equal(7, Assert.Single(entitlements.Entitlements).UseCount);
    }

    [Fact]
    public async Task Consume_Rejected_ReturnsOutcomeAndWritesNothing()
    {
        var user = await NewPlayerAsync();
        var consumable = await PutSkuAsync(EntitlementType.Consumable);
        var durable = await PutSkuAsync(EntitlementType.Durable);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, consumable, quantity: 2));
        await SubmitAsync(Command(EntitlementActionType.Grant, user, durable));

        var tooMuch = await Player(user).ConsumeAsync(new ConsumeEntitlement(consumable.ItemId, 3, Unique("op")));
        var notConsumable = await Player(user).ConsumeAsync(new ConsumeEntitlement(durable.ItemId, 1, Unique("op")));
        var notOwned = await Player(user).ConsumeAsync(new ConsumeEntitlement(Unique("item"), 1, Unique("op")));
        var unknownPlayer = await Client.GetGrain<IPlayerGrain>(Guid.NewGuid()).ConsumeAsync(new ConsumeEntitlement(consumable.ItemId, 1, Unique("op")));

        Assert.Equal(ConsumeOutcome.InsufficientBalance, tooMuch.Outcome);
        Assert.Equal(2, tooMuch.Entitlement!.UseCount);
        Assert.Equal(ConsumeOutcome.NotConsumable, notConsumable.Outcome);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.NotOwned, null), notOwned);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.UnknownPlayer, null), unknownPlayer);
        Assert.Equal(2, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    [Fact]
    public async Task Submit_SkuNotInCatalog_RecordsSkuNotFoundForPlayer()
    {
        var user = await NewPlayerAsync();
        var command = new SubmitEntitlementEvent
        {
            ActionType = EntitlementActionType.Grant,
            Platform = Platform.Steam,
            PlatformUserId = user.PlatformUserId,
            Sku = Unique("missing"),
            PlatformTransactionId = Unique("tx"),
        };

        var result = await Events.SubmitAsync(command);

        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        Assert.Equal(EntitlementEventStatus.SkuNotFound, result.Event!.Status);
        Assert.Equal(user.PlayerUuid, result.Event.PlayerUuid);
        Assert.Null(result.Event.EntitlementType);
        Assert.Null(result.Event.LootId);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(1, entitlements!.Version);
        Assert.Empty(entitlements.Entitlements);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Submit_AfterAnotherActivationAppended_ReloadsAndDecidesAgain()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        Assert.Equal(EntitlementEventOutcome.Recorded, (await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity: 1))).Outcome);

        // A second activation of the same player (say, on a silo that has not yet seen the first one
        // die) appends version 2 behind this activation's back.
        var history = await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100);
        var state = LedgerFold.ApplyAll(LedgerState.Empty, history);
        var player = new PlayerInfo(user.PlayerUuid, user.PlayerId, user.Created);
        var foreign = Command(EntitlementActionType.Grant, user, sku, quantity: 2);
        var theirs = EntitlementDecider.DecideEntitlementEvent(state, player, foreign, sku, [], Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        Assert.Equal(AppendOutcome.Appended, (await fixture.Store.AppendAsync(theirs)).Outcome);

        // This activation still believes it is at version 1: its append of version 2 loses, it
        // reloads, decides again on the new state and appends version 3.
        var ours = await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity: 4));

        Assert.Equal(EntitlementEventOutcome.Recorded, ours.Outcome);
        Assert.Equal(3, ours.Event!.Version);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(3, entitlements!.Version);
        Assert.Equal(70, Assert.Single(entitlements.Entitlements).UseCount);
        var versions = (await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100)).Select(e => e.Version);
        Assert.Equal([1L, 2L, 3L], versions);
    }

    [Fact]
    public async Task Refund_OfAGrantAnotherActivationAppended_ReloadsAndRevokesIt()
    {
        var user = await NewPlayerAsync();
        var gems = await PutSkuAsync(EntitlementType.Consumable);
        var pass = await PutSkuAsync(EntitlementType.Durable);
        Assert.Equal(EntitlementEventOutcome.Recorded, (await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, gems))).Outcome);

        // A second activation of the same player grants an item this activation has never seen.
        var history = await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100);
        var state = LedgerFold.ApplyAll(LedgerState.Empty, history);
        var player = new PlayerInfo(user.PlayerUuid, user.PlayerId, user.Created);
        var grant = Command(EntitlementActionType.Grant, user, pass);
        var theirs = EntitlementDecider.DecideEntitlementEvent(state, player, grant, pass, [], Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        Assert.Equal(AppendOutcome.Appended, (await fixture.Store.AppendAsync(theirs)).Outcome);

        // The refund reaches this activation, still at version 1: it reads the transaction, finds the grant
        // of version 2, and catches up before deciding (it used to look the item up in its stale state).
        var refund = await Events.SubmitAsync(grant with { ActionType = EntitlementActionType.Refund });

        Assert.Equal(EntitlementEventOutcome.Recorded, refund.Outcome);
        Assert.Equal((3L, theirs.EventId), (refund.Event!.Version, refund.Event.OrderId));
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(3, entitlements!.Version);
        Assert.Equal(EntitlementStatus.Revoked, Assert.Single(entitlements.Entitlements, e => e.ItemId == pass.ItemId).Status);
    }

    [Fact]
    public async Task Consume_ReplayOfAConsumeAnotherActivationAppended_ReloadsAndAnswersWithTheConsumeApplied()
    {
        var user = await NewPlayerAsync();
        var gems = await PutSkuAsync(EntitlementType.Consumable);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, gems, quantity: 10));
        Assert.Equal(1, (await Player(user).GetEntitlementsAsync())!.Version);

        // A second activation of the same player records a consume this activation has never seen.
        var history = await fixture.Store.ReadPlayerEventsAsync(user.PlayerUuid, 0, 100);
        var state = LedgerFold.ApplyAll(LedgerState.Empty, history);
        var consume = new ConsumeEntitlement(gems.ItemId, 3, Unique("op"));
        var (theirs, _) = EntitlementDecider.DecideConsume(state, user.PlayerUuid, consume, Guid.NewGuid().ToString("D"), DateTimeOffset.UtcNow);
        Assert.Equal(AppendOutcome.Appended, (await fixture.Store.AppendAsync(theirs!)).Outcome);

        // The caller retries the consume; it reaches this activation, still at version 1, which finds the
        // operation recorded at version 2 and catches up before answering (it used to answer with the use
        // count from before the consume).
        var replayed = await Player(user).ConsumeAsync(consume);

        Assert.Equal(ConsumeOutcome.Replayed, replayed.Outcome);
        Assert.Equal(7, replayed.Entitlement!.UseCount);
        var entitlements = await Player(user).GetEntitlementsAsync();
        Assert.Equal(2, entitlements!.Version);
        var gemsNow = Assert.Single(entitlements.Entitlements);
        Assert.Equal(7, gemsNow.UseCount);
        Assert.Equal(new ConsumeResult(ConsumeOutcome.Replayed, gemsNow), replayed);
    }

    public static TheoryData<string> TextFields() => [nameof(SubmitEntitlementEvent.PlatformUserId), nameof(SubmitEntitlementEvent.Sku), nameof(SubmitEntitlementEvent.PlatformTransactionId), nameof(SubmitEntitlementEvent.PlatformDataJson)];

    /// <summary>
    /// An Orleans client is refused a NUL (U+0000) as the gateway's callers are (422), on either engine:
    /// with an <see cref="ArgumentException"/> naming the field, before anything is read or written. On
    /// PostgreSQL it used to reach the database, whose text cannot hold it, and came back as a
    /// <see cref="StoreUnavailableException"/>, which tells the caller to retry.
    /// </summary>
    [Theory]
    [MemberData(nameof(TextFields))]
    public async Task Submit_NulInATextField_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(string field)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku);
        command = field switch
        {
            nameof(SubmitEntitlementEvent.PlatformUserId) => command with { PlatformUserId = command.PlatformUserId + "\0" },
            nameof(SubmitEntitlementEvent.Sku) => command with { Sku = "\0" + command.Sku },
            nameof(SubmitEntitlementEvent.PlatformTransactionId) => command with { PlatformTransactionId = command.PlatformTransactionId + "\0x" },
            _ => command with { PlatformDataJson = "{\"a\":\"\0\"}" },
        };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
        };

        Assert.All(refusals, refusal => Assert.Contains($"{field} holds a NUL character (U+0000), which the ledger does not store.", refusal.Message, StringComparison.Ordinal));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>An explicit player UUID that is the nil UUID is refused as the route refuses it: it names no player.</summary>
    [Fact]
    public async Task Submit_NilPlayerUuid_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlayerUuid = Guid.Empty };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
        };

        Assert.All(refusals, refusal => Assert.Equal("PlayerUuid is the nil UUID, which is no player's. (Parameter 'PlayerUuid')", refusal.Message));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    [Fact]
    public async Task Submit_PlatformDataOver64KiB_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = $"{{\"r\":\"{new string('x', (64 * 1024) - 7)}\"}}" };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
        };

        Assert.All(refusals, refusal => Assert.StartsWith("The platform data is over 65536 bytes of JSON.", refusal.Message, StringComparison.Ordinal));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// Platform data an answer cannot carry as an object is refused as the gateway refuses it (a 422): it
    /// used to be stored, after which the event's replay and every listing page holding it failed to read
    /// it, for good.
    /// </summary>
    [Theory]
    [InlineData("receipt=abc", "The platform data is not JSON of at most 63 levels: ")]
    [InlineData("[1]", "The platform data is a JSON array, not an object.")]
    [InlineData("\"x\"", "The platform data is a JSON string, not an object.")]
    [InlineData("null", "The platform data is a JSON null, not an object.")]
    [InlineData("64 levels", "The platform data is not JSON of at most 63 levels: ")]
    [InlineData("{\"a\":\"\\ud800\"}", "The platform data holds a string that is not valid UTF-16 once unescaped.")]
    [InlineData("{\"n\":{4301}}", "The platform data holds an integer of 4301 digits; Python's json.loads reads at most 4300.")]
    [InlineData("{\"a\":[1,{\"b\":-{4301}}]}", "The platform data holds an integer of 4301 digits; Python's json.loads reads at most 4300.")]
    [InlineData("{\"x\":1e400}", "The platform data holds a number beyond what a double holds (±1.7976931348623157e308).")]
    [InlineData("{\"x\":-1e400}", "The platform data holds a number beyond what a double holds (±1.7976931348623157e308).")]
    [InlineData("{\"a\":[1,{\"b\":[2.5,{310}]}]}", "The platform data holds a number beyond what a double holds (±1.7976931348623157e308).")]
    public async Task Submit_PlatformDataThatIsNotAnObjectAnAnswerCanCarry_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(string platformData, string message)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = platformData == "64 levels" ? NestedObjects(64) : WithDigits(platformData) };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command with { PlatformUserId = Unique("unlinked") })),
        };

        Assert.All(refusals, refusal => Assert.StartsWith(message, refusal.Message, StringComparison.Ordinal));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId));
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// Numbers within a double are taken as written, however many digits they are written with: an integer of 308
    /// digits, the largest double, a number so small it reads as 0.
    /// </summary>
    [Fact]
    public async Task Submit_PlatformDataWithNumbersWithinADouble_IsRecordedAsWritten()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = WithDigits("{\"a\":-{308},\"b\":{300}.5,\"c\":1.7976931348623157E+308,\"d\":1e-400,\"e\":\"{5000}\"}") };

        var result = await Events.SubmitAsync(command);

        Assert.Equal((EntitlementEventOutcome.Recorded, command.PlatformDataJson), (result.Outcome, result.Event!.PlatformDataJson));
    }

    [Fact]
    public async Task Submit_PlatformDataAsDeepAsAGatewayBodyCarries_IsRecorded()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = NestedObjects(63) };

        var result = await Events.SubmitAsync(command);

        Assert.Equal((EntitlementEventOutcome.Recorded, command.PlatformDataJson), (result.Outcome, result.Event!.PlatformDataJson));
    }

    /// <summary>
    /// A lone surrogate is not valid UTF-16 and has no UTF-8 form: SQLite stored <c>order-\uD800</c> and
    /// <c>order-\uDC00</c> alike as <c>order-\uFFFD</c>, so the second purchase was answered as a replay
    /// of the first and never granted; PostgreSQL's driver refused to send it. Both engines now refuse it
    /// before anything is read or written, as they refuse a NUL; a surrogate pair (an emoji) is text. The
    /// calls come from inside the silo: Orleans writes a string as UTF-8, so a remote client's lone
    /// surrogate reaches a grain as U+FFFD already (the routing helper refuses it in the caller's process).
    /// </summary>
    [Theory]
    [MemberData(nameof(TextFields))]
    public async Task Submit_LoneSurrogateInATextField_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(string field)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var clean = Command(EntitlementActionType.Grant, user, sku);
        var order = Unique("order");
        foreach (var surrogate in new[] { '\uD800', '\uDC00' })
        {
            var (command, value) = field switch
            {
                nameof(SubmitEntitlementEvent.PlatformUserId) => (clean with { PlatformUserId = clean.PlatformUserId + surrogate }, clean.PlatformUserId + surrogate),
                nameof(SubmitEntitlementEvent.Sku) => (clean with { Sku = surrogate + clean.Sku }, surrogate + clean.Sku),
                nameof(SubmitEntitlementEvent.PlatformTransactionId) => (clean with { PlatformTransactionId = order + surrogate }, order + surrogate),
                _ => (clean with { PlatformDataJson = $"{{\"a\":\"{surrogate}\"}}" }, $"{{\"a\":\"{surrogate}\"}}"),
            };

            var refusals = new[]
            {
                await Assert.ThrowsAsync<ArgumentException>(() => InSilo.GetGrain<IEntitlementEventsGrain>(0).SubmitAsync(command)),
                await Assert.ThrowsAsync<ArgumentException>(() => InSilo.GetGrain<IPlayerGrain>(user.PlayerUuid).SubmitEntitlementEventAsync(command)),
                await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
            };

            var message = $"{field} holds a lone surrogate (U+{(int)surrogate:X4} at index {value.IndexOf(surrogate, StringComparison.Ordinal)}), which is not valid UTF-16 and the ledger does not store.";
            Assert.All(refusals, refusal => Assert.StartsWith(message, refusal.Message, StringComparison.Ordinal));
        }

        // Where SQLite put both transaction ids.
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, order + "\uFFFD"));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);

        var emoji = await InSilo.GetGrain<IEntitlementEventsGrain>(0).SubmitAsync(clean with { PlatformTransactionId = clean.PlatformTransactionId + "\uD83D\uDE00" });
        Assert.Equal((EntitlementEventOutcome.Recorded, clean.PlatformTransactionId + "\uD83D\uDE00"), (emoji.Outcome, emoji.Event!.PlatformTransactionId));
    }

    /// <summary>
    /// A consume's ids and a display name, from inside the silo (see the test above). A grain key cannot
    /// carry a lone surrogate at all: Orleans keeps a grain id as UTF-8, so the caller's own process turns
    /// one into U+FFFD when it makes the reference.
    /// </summary>
    [Fact]
    public async Task ConsumeAndDisplayName_LoneSurrogate_IsRefusedAsABadArgument_AndChangesNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        var operation = Unique("op");
        var player = InSilo.GetGrain<IPlayerGrain>(user.PlayerUuid);
        var platformUser = InSilo.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, Unique("user")));

        var badItem = await Assert.ThrowsAsync<ArgumentException>(() => player.ConsumeAsync(new ConsumeEntitlement(sku.ItemId + "\uDC00", 1, operation)));
        var badOperation = await Assert.ThrowsAsync<ArgumentException>(() => player.ConsumeAsync(new ConsumeEntitlement(sku.ItemId, 1, operation + "\uD800")));
        var badName = await Assert.ThrowsAsync<ArgumentException>(() => platformUser.LinkAsync("Play\uDC00er", null));

        Assert.StartsWith($"ItemId holds a lone surrogate (U+DC00 at index {sku.ItemId.Length})", badItem.Message, StringComparison.Ordinal);
        Assert.StartsWith($"OperationId holds a lone surrogate (U+D800 at index {operation.Length})", badOperation.Message, StringComparison.Ordinal);
        Assert.StartsWith("The display name holds a lone surrogate (U+DC00 at index 4)", badName.Message, StringComparison.Ordinal);
        var entitlements = (await Player(user).GetEntitlementsAsync())!;
        Assert.Equal((1L, 10L), (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount));
        Assert.Null(await platformUser.GetAsync());
    }

    [Fact]
    public async Task Consume_NulInTheItemIdOrOperationId_IsRefusedAsABadArgument_AndConsumesNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku));

        var badItem = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId + "\0", 1, Unique("op"))));
        var badOperation = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, 1, Unique("op") + "\0")));

        Assert.Contains("ItemId holds a NUL character (U+0000)", badItem.Message, StringComparison.Ordinal);
        Assert.Contains("OperationId holds a NUL character (U+0000)", badOperation.Message, StringComparison.Ordinal);
        var entitlements = (await Player(user).GetEntitlementsAsync())!;
        Assert.Equal((1L, 10L), (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount));
    }

    [Fact]
    public async Task Consume_IdsOver256Characters_AreRefusedAsABadArgument_AndConsumesNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        // Random text, which PostgreSQL cannot compress into its index's row limit (3,000 characters were refused
        // by the index there, as a 503 the caller would retry, and stored on SQLite).
        var random = string.Concat(Enumerable.Range(0, 100).Select(_ => Guid.NewGuid().ToString("N")));

        var badOperation = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, 1, random[..3000])));
        var badItem = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(new ConsumeEntitlement(random[..257], 1, Unique("op"))));

        Assert.StartsWith("OperationId is longer than 256 characters", badOperation.Message, StringComparison.Ordinal);
        Assert.StartsWith("ItemId is longer than 256 characters", badItem.Message, StringComparison.Ordinal);
        Assert.Equal((1L, 10L), await VersionAndBalanceAsync());

        // 256 characters are taken, an emoji counting as one (512 UTF-16 code units in all).
        var longest = await Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, 3, string.Concat(Enumerable.Repeat("\U0001F3AE", 256))));
        Assert.Equal(ConsumeOutcome.Consumed, longest.Outcome);
        Assert.Equal((2L, 7L), await VersionAndBalanceAsync());

        async Task<(long, long)> VersionAndBalanceAsync()
        {
            var entitlements = (await Player(user).GetEntitlementsAsync())!;
            return (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount);
        }
    }

    /// <summary>
    /// An enum value no member names, from an Orleans client (the routes take only the names): it was recorded
    /// (a status as given, a platform as an event of nobody's), and every listing page holding it then answered
    /// 500, for good, since no wire name spells it. Refused now, naming the member, before anything is read or
    /// written, whichever grain it reaches.
    /// </summary>
    [Theory]
    [InlineData(nameof(SubmitEntitlementEvent.ActionType), 4, nameof(EntitlementActionType))]
    [InlineData(nameof(SubmitEntitlementEvent.ActionType), -1, nameof(EntitlementActionType))]
    [InlineData(nameof(SubmitEntitlementEvent.Status), 5, nameof(EntitlementEventStatus))]
    [InlineData(nameof(SubmitEntitlementEvent.Platform), 16, nameof(Platform))]
    public async Task Submit_EnumValueNoMemberNames_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(string member, int value, string enumName)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var clean = Command(EntitlementActionType.Grant, user, sku);
        var command = member switch
        {
            nameof(SubmitEntitlementEvent.ActionType) => clean with { ActionType = (EntitlementActionType)value },
            nameof(SubmitEntitlementEvent.Status) => clean with { Status = (EntitlementEventStatus)value },
            _ => clean with { Platform = (Platform)value },
        };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command with { PlatformUserId = Unique("unlinked") })),
        };

        Assert.All(refusals, refusal => Assert.Equal($"{member} is {value}, not a member of {enumName}. (Parameter '{member}')", refusal.Message));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(command.Platform, command.PlatformTransactionId));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// An id the route requires (at least one character) left out or empty by an Orleans client. An empty
    /// transaction id was recorded, and every later purchase with one answered as a conflict with it, never
    /// granted; a null one failed with a <see cref="NullReferenceException"/>.
    /// </summary>
    [Theory]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformUserId), null)]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformUserId), "")]
    [InlineData(nameof(SubmitEntitlementEvent.Sku), null)]
    [InlineData(nameof(SubmitEntitlementEvent.Sku), "")]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformTransactionId), null)]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformTransactionId), "")]
    public async Task Submit_IdMissingOrEmpty_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(string field, string? value)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var clean = Command(EntitlementActionType.Grant, user, sku);
        var command = field switch
        {
            nameof(SubmitEntitlementEvent.PlatformUserId) => clean with { PlatformUserId = value! },
            nameof(SubmitEntitlementEvent.Sku) => clean with { Sku = value! },
            _ => clean with { PlatformTransactionId = value! },
        };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
        };

        Assert.All(refusals, refusal => Assert.Equal($"{field} is required. (Parameter '{field}')", refusal.Message));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId ?? string.Empty));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// The route's bounds on the ids, in characters (an emoji is one), held by the grains too: an Orleans client
    /// could record a transaction id of a megabyte, whose <c>revocationCompleted</c> no player stream carries.
    /// </summary>
    [Theory]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformUserId), 2048)]
    [InlineData(nameof(SubmitEntitlementEvent.Sku), 2048)]
    [InlineData(nameof(SubmitEntitlementEvent.PlatformTransactionId), 4096)]
    public async Task Submit_IdLongerThanTheRouteTakes_IsRefusedAsABadArgumentByEveryRoute_AndTheLongestIsRecorded(string field, int longest)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var clean = Command(EntitlementActionType.Grant, user, sku);
        var prefix = Unique(field);
        var over = prefix + new string('x', longest + 1 - prefix.Length);
        var atBound = prefix + string.Concat(Enumerable.Repeat("\U0001F3AE", longest - prefix.Length));
        SubmitEntitlementEvent With(string id) => field switch
        {
            nameof(SubmitEntitlementEvent.PlatformUserId) => clean with { PlatformUserId = id },
            nameof(SubmitEntitlementEvent.Sku) => clean with { Sku = id },
            _ => clean with { PlatformTransactionId = id },
        };
        var command = With(over);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
        };

        Assert.All(refusals, refusal => Assert.Equal($"{field} is longer than {longest} characters, the most the gateway takes. (Parameter '{field}')", refusal.Message));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Empty((await Events.ListAsync(new EntitlementEventQuery { PlayerUuid = user.PlayerUuid })).Events);
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);

        // As many characters as the route takes are recorded, though twice as many UTF-16 code units.
        var longestTaken = await Events.SubmitAsync(With(atBound));
        Assert.Equal(EntitlementEventOutcome.Recorded, longestTaken.Outcome);
        Assert.Equal(atBound, field switch
        {
            nameof(SubmitEntitlementEvent.PlatformUserId) => longestTaken.Event!.PlatformUserId,
            nameof(SubmitEntitlementEvent.Sku) => longestTaken.Event!.Sku,
            _ => longestTaken.Event!.PlatformTransactionId,
        });
    }

    /// <summary>
    /// A grant's quantity below 1 from an Orleans client (the route takes 1 to 1,000,000): it was refused only
    /// once the player and the transaction were read, as an <see cref="ArgumentOutOfRangeException"/>, and a
    /// player the grain did not know answered <see cref="EntitlementEventOutcome.UnknownPlayer"/> instead. Now
    /// an <see cref="ArgumentException"/> naming the member, before anything is read, whichever grain it
    /// reaches. A refund's, chargeback's or reversal's quantity is recorded and not used, and the route takes
    /// any: so do the grains.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public async Task Submit_GrantQuantityBelowOne_IsRefusedAsABadArgumentByEveryRoute_WhileARefundOfAnyQuantityIsRecorded(long quantity)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku, quantity);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command with { PlatformUserId = Unique("unlinked") })),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<IPlayerGrain>(Guid.NewGuid()).SubmitEntitlementEventAsync(command)),
        };

        Assert.All(refusals, refusal => Assert.Equal($"Quantity is {quantity}, less than 1, the least the gateway takes. (Parameter 'Quantity')", refusal.Message));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);

        foreach (var action in new[] { EntitlementActionType.Refund, EntitlementActionType.Chargeback, EntitlementActionType.ChargebackReversal })
        {
            var recorded = await Events.SubmitAsync(Command(action, user, sku, quantity));
            Assert.Equal((EntitlementEventOutcome.Recorded, action, quantity), (recorded.Outcome, recorded.Event!.ActionType, recorded.Event.Quantity));
        }
    }

    /// <summary>
    /// Any event's quantity beyond 32 bits, which RallyHere's generated clients cannot read in an answer, is refused
    /// to an Orleans client as the route refuses it (a 422), before anything is read; the bounds themselves are taken.
    /// </summary>
    [Theory]
    [InlineData(EntitlementActionType.Grant, 2_147_483_648L)]
    [InlineData(EntitlementActionType.Refund, 3_000_000_000L)]
    [InlineData(EntitlementActionType.Chargeback, -2_147_483_649L)]
    [InlineData(EntitlementActionType.ChargebackReversal, long.MinValue)]
    public async Task Submit_QuantityBeyond32Bits_IsRefusedAsABadArgumentByEveryRoute_AndRecordsNothing(EntitlementActionType action, long quantity)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(action, user, sku, quantity);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).SubmitEntitlementEventAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.SubmitEntitlementEventAsync(Events, command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Events.SubmitAsync(command with { PlatformUserId = Unique("unlinked") })),
        };

        Assert.All(refusals, refusal => Assert.Equal($"Quantity is {quantity}, outside -2147483648 to 2147483647, the range the gateway takes. (Parameter 'Quantity')", refusal.Message));
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId));
        Assert.Equal(0, (await Player(user).GetEntitlementsAsync())!.Version);
        var atBound = await Events.SubmitAsync(Command(action, user, sku, quantity > 0 ? int.MaxValue : int.MinValue));
        Assert.Equal(EntitlementEventOutcome.Recorded, atBound.Outcome);
    }

    /// <summary>
    /// A grant that would take a balance past 64 bits reaches an Orleans client as a
    /// <see cref="BalanceLimitException"/>, still an <see cref="ArgumentOutOfRangeException"/>: the type crosses
    /// the wire (client to silo to player grain and back), so the callers that answer only that refusal see it.
    /// </summary>
    [Fact]
    public async Task Submit_GrantPastTheLargestBalance_ThrowsBalanceLimitExceptionToTheClient_AndRecordsNothing()
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 1_000_000_000);
        // Each grant's quantity is within 32 bits: four of the most and one more make 9,223,000,000 quantities.
        foreach (var quantity in new long[] { int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, 9_223_000_000 - (4L * int.MaxValue) })
        {
            await SubmitAsync(Command(EntitlementActionType.Grant, user, sku, quantity));
        }

        var past = Command(EntitlementActionType.Grant, user, sku, quantity: 1_000_000_000);

        var refusal = await Assert.ThrowsAsync<BalanceLimitException>(() => Events.SubmitAsync(past));

        Assert.IsAssignableFrom<ArgumentOutOfRangeException>(refusal);
        Assert.StartsWith("The event would take the item's balance past what 64 bits hold (9223372036854775807 units); nothing was recorded.", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(await fixture.Store.ReadTransactionAsync(Platform.Steam, past.PlatformTransactionId));
        Assert.Equal(5, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// A consume's quantity below 1 from an Orleans client (the route takes 1 and up): it was refused only once
    /// the player and the operation were read (an operation id already used answered
    /// <see cref="ConsumeOutcome.Conflict"/>, a player the grain did not know
    /// <see cref="ConsumeOutcome.UnknownPlayer"/>), as an <see cref="ArgumentOutOfRangeException"/>. Now an
    /// <see cref="ArgumentException"/> naming the member, before anything is read.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task Consume_QuantityBelowOne_IsRefusedAsABadArgumentBeforeAnythingIsRead_AndConsumesNothing(long quantity)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        var used = new ConsumeEntitlement(sku.ItemId, 2, Unique("op"));
        Assert.Equal(ConsumeOutcome.Consumed, (await Player(user).ConsumeAsync(used)).Outcome);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, quantity, Unique("op")))),
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(used with { Quantity = quantity })),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<IPlayerGrain>(Guid.NewGuid()).ConsumeAsync(new ConsumeEntitlement(sku.ItemId, quantity, Unique("op")))),
        };

        Assert.All(refusals, refusal => Assert.Equal($"Quantity is {quantity}, less than 1, the least the gateway takes. (Parameter 'Quantity')", refusal.Message));
        var entitlements = (await Player(user).GetEntitlementsAsync())!;
        Assert.Equal((2L, 8L), (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount));
    }

    /// <summary>
    /// Platform data is stored as canonical JSON (keys in ordinal order, no whitespace, strings in their own
    /// characters), as the gateway writes it, whoever sends it: an Orleans client's grant with its keys in
    /// another order was stored as sent, and the same event over HTTP (which sorts them) then answered 409.
    /// </summary>
    [Theory]
    [InlineData("""{"orderId":"1","appId":"2"}""", """{"appId":"2","orderId":"1"}""")]
    [InlineData("""{ "b" : [ 1 , { "d" : true, "c" : null } ], "a" : "caf\u00e9 \/ \u002B \n" }""", """{"a":"café / + \n","b":[1,{"c":null,"d":true}]}""")]
    public async Task Submit_PlatformData_IsStoredAsCanonicalJson_AndTheSameObjectWrittenAnotherWayIsAReplay(string platformData, string canonical)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable);
        var command = Command(EntitlementActionType.Grant, user, sku) with { PlatformDataJson = platformData };

        var first = await Events.SubmitAsync(command);
        var sorted = await Player(user).SubmitEntitlementEventAsync(command with { PlatformDataJson = canonical });
        var again = await Client.SubmitEntitlementEventAsync(Events, command);

        Assert.Equal((EntitlementEventOutcome.Recorded, canonical), (first.Outcome, first.Event!.PlatformDataJson));
        Assert.Equal(canonical, Assert.Single(await fixture.Store.ReadTransactionAsync(Platform.Steam, command.PlatformTransactionId)).Entitlement!.PlatformDataJson);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, first.Event), sorted);
        Assert.Equal(new EntitlementEventResult(EntitlementEventOutcome.Replayed, first.Event), again);
        Assert.Equal(1, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    /// <summary>
    /// A consume's item and operation ids are required, as by the route: a null operation id was stored as NULL
    /// on PostgreSQL, never found as a replay, so every retry took again (on SQLite it failed with
    /// <see cref="InvalidOperationException"/>), and an empty one made every later empty one a free replay.
    /// </summary>
    [Theory]
    [InlineData(nameof(ConsumeEntitlement.ItemId), null)]
    [InlineData(nameof(ConsumeEntitlement.ItemId), "")]
    [InlineData(nameof(ConsumeEntitlement.OperationId), null)]
    [InlineData(nameof(ConsumeEntitlement.OperationId), "")]
    public async Task Consume_ItemIdOrOperationIdMissingOrEmpty_IsRefusedAsABadArgument_AndConsumesNothing(string field, string? value)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        var clean = new ConsumeEntitlement(sku.ItemId, 1, Unique("op"));
        var command = field == nameof(ConsumeEntitlement.ItemId) ? clean with { ItemId = value! } : clean with { OperationId = value! };

        var first = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(command));
        var retry = await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeAsync(command));

        Assert.All(new[] { first, retry }, refusal => Assert.Equal($"{field} is required. (Parameter '{field}')", refusal.Message));
        var entitlements = (await Player(user).GetEntitlementsAsync())!;
        Assert.Equal((1L, 10L), (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount));
    }

    /// <summary>
    /// The Xbox consume's text from an Orleans client: the XUID is written with each consume it starts and
    /// read back to finish them, the credential is sent to Xbox, the catalog version answered. Each is
    /// refused as the other entry points refuse theirs, before the player is read; the call used to go on
    /// and answer as if the text were clean.
    /// </summary>
    [Theory]
    [InlineData(nameof(ConsumeXboxEntitlements.Xuid))]
    [InlineData(nameof(ConsumeXboxEntitlements.XboxAuthorization))]
    [InlineData(nameof(ConsumeXboxEntitlements.CatalogVersion))]
    public async Task ConsumeXbox_NulInATextField_IsRefusedAsABadArgument_AndRecordsNothing(string field)
    {
        var user = await NewPlayerAsync();
        var sku = await PutSkuAsync(EntitlementType.Consumable, unitsPerQuantity: 10);
        await Events.SubmitAsync(Command(EntitlementActionType.Grant, user, sku));
        var xuid = Unique("xuid");
        var clean = new ConsumeXboxEntitlements { Xuid = xuid, XboxAuthorization = "XBL3.0 x=hash;token", CatalogVersion = "main" };
        var command = field switch
        {
            nameof(ConsumeXboxEntitlements.Xuid) => clean with { Xuid = xuid + "\0" },
            nameof(ConsumeXboxEntitlements.XboxAuthorization) => clean with { XboxAuthorization = "XBL3.0 x=hash;\0token" },
            _ => clean with { CatalogVersion = "\0main" },
        };

        var refusals = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Player(user).ConsumeXboxEntitlementsAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => InSilo.GetGrain<IPlayerGrain>(user.PlayerUuid).ConsumeXboxEntitlementsAsync(command)),
            await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<IPlayerGrain>(Guid.NewGuid()).ConsumeXboxEntitlementsAsync(command)),
        };

        Assert.All(refusals, refusal => Assert.StartsWith($"{field} holds a NUL character (U+0000), which the ledger does not store.", refusal.Message, StringComparison.Ordinal));
        Assert.Empty(await fixture.Store.ReadPendingXboxConsumesAsync(xuid));
        var entitlements = (await Player(user).GetEntitlementsAsync())!;
        Assert.Equal((1L, 10L), (entitlements.Version, Assert.Single(entitlements.Entitlements).UseCount));
    }

    /// <summary>An Orleans client's message can leave out what <c>required</c> asks of a C# caller: refused, nothing started.</summary>
    [Theory]
    [InlineData(nameof(ConsumeXboxEntitlements.Xuid), null)]
    [InlineData(nameof(ConsumeXboxEntitlements.Xuid), "")]
    [InlineData(nameof(ConsumeXboxEntitlements.XboxAuthorization), null)]
    [InlineData(nameof(ConsumeXboxEntitlements.XboxAuthorization), "")]
    public async Task ConsumeXbox_XuidOrCredentialMissing_IsRefusedAsABadArgument(string field, string? value)
    {
        var user = await NewPlayerAsync();
        var xuid = Unique("xuid");
        var clean = new ConsumeXboxEntitlements { Xuid = xuid, XboxAuthorization = "XBL3.0 x=hash;token" };
        var command = field == nameof(ConsumeXboxEntitlements.Xuid) ? clean with { Xuid = value! } : clean with { XboxAuthorization = value! };

        var refusal = await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<IPlayerGrain>(user.PlayerUuid).ConsumeXboxEntitlementsAsync(command));

        Assert.Equal($"{field} is required. (Parameter '{field}')", refusal.Message);
        Assert.Empty(await fixture.Store.ReadPendingXboxConsumesAsync(xuid));
        Assert.Equal(0L, (await Player(user).GetEntitlementsAsync())!.Version);
    }

    [Fact]
    public async Task PlatformUserAndCatalog_NulInTheKeyOrDisplayName_IsRefusedAsABadArgument_AndLinksNothing()
    {
        var id = Unique("user") + "\0";
        var grain = Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, id));

        var read = await Assert.ThrowsAsync<ArgumentException>(() => grain.GetAsync());
        var link = await Assert.ThrowsAsync<ArgumentException>(() => grain.LinkAsync("Player", null));

        var clean = Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, id[..^1]));
        var name = await Assert.ThrowsAsync<ArgumentException>(() => clean.LinkAsync("Play\0er", null));
        var sku = await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.Steam, "sku\0")).GetAsync());
        var entry = new CatalogSku { Platform = Platform.Steam, Sku = Unique("sku"), EntitlementType = EntitlementType.Durable, ItemId = "item", ItemName = "Item", CustomData = new Dictionary<string, string> { ["note"] = "a\0b" } };
        var data = await Assert.ThrowsAsync<ArgumentException>(() => Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.Steam, entry.Sku)).PutAsync(entry));

        Assert.All(new[] { read, link }, refusal => Assert.Contains("The platform user id holds a NUL character (U+0000)", refusal.Message, StringComparison.Ordinal));
        Assert.Contains("The display name holds a NUL character (U+0000)", name.Message, StringComparison.Ordinal);
        Assert.Contains("The SKU holds a NUL character (U+0000)", sku.Message, StringComparison.Ordinal);
        Assert.Contains("CustomData[note] holds a NUL character (U+0000)", data.Message, StringComparison.Ordinal);
        Assert.Null(await clean.GetAsync());
        Assert.Null(await Client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(Platform.Steam, entry.Sku)).GetAsync());
    }

    private static SubmitEntitlementEvent Command(EntitlementActionType action, PlatformUserLink user, CatalogSku sku, long quantity = 1) => new()
    {
        ActionType = action,
        Platform = user.Platform,
        PlatformUserId = user.PlatformUserId,
        Sku = sku.Sku,
        Quantity = quantity,
        PlatformTransactionId = Unique("tx"),
    };

    /// <summary>JSON of <paramref name="objects"/> objects, each but the last holding the next.</summary>
    /// <summary><paramref name="template"/> with each <c>{N}</c> replaced by an integer of N digits.</summary>
    private static string WithDigits(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{(\d+)\}", m => "9" + new string('8', int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1));

    private static string NestedObjects(int objects) =>
        string.Concat(Enumerable.Repeat("{\"n\":", objects - 1)) + "{}" + new string('}', objects - 1);

    private static void AssertSameEntitlements(PlayerEntitlements? before, PlayerEntitlements? after)
    {
        Assert.NotNull(before);
        Assert.NotNull(after);
        Assert.Equal(before.PlayerUuid, after.PlayerUuid);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Entitlements, after.Entitlements);
    }

    private IPlayerGrain Player(PlatformUserLink user) => Client.GetGrain<IPlayerGrain>(user.PlayerUuid);

    private Task<PlatformUserLink> NewPlayerAsync() => new GrainWorld(Client).NewPlayerAsync();

    private static readonly TimeSpan HoldDeadline = TimeSpan.FromSeconds(30);

    private LedgerGroupCommit Appends => ((IGroupCommittingStore)fixture.Store).Appends;

    /// <summary>
    /// Hold the silo's group-commit batch that holds the grant of <paramref name="transactionId"/> until the
    /// returned source is set (other batches pass); <paramref name="held"/> completes once it is held.
    /// </summary>
    private TaskCompletionSource HoldGrantOf(string transactionId, out Task held)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Appends.TestHookBeforeBatch = events =>
        {
            if (!events.Any(e => e.Entitlement is { ActionType: EntitlementActionType.Grant } record && record.PlatformTransactionId == transactionId))
            {
                return Task.CompletedTask;
            }

            holding.TrySetResult();
            return release.Task;
        };
        held = holding.Task;
        return release;
    }

    /// <summary>Link <paramref name="user"/>'s platform user to a new player; returns the new link.</summary>
    private async Task<PlatformUserLink> RelinkAsync(PlatformUserLink user)
    {
        var moved = await Client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(user.Platform, user.PlatformUserId)).LinkAsync("Player", Guid.NewGuid());
        Assert.NotEqual(user.PlayerUuid, moved.Link.PlayerUuid);
        return moved.Link;
    }

    private Task<CatalogSku> PutSkuAsync(EntitlementType type, long unitsPerQuantity = 1, RevocationPolicy policy = RevocationPolicy.RevokeOrReport) =>
        new GrainWorld(Client).PutSkuAsync(type, unitsPerQuantity, policy);

    private async Task<EntitlementEventRecord> SubmitAsync(SubmitEntitlementEvent command)
    {
        var result = await Events.SubmitAsync(command);
        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        return result.Event!;
    }

    private async Task DeactivateAsync(IPlayerGrain grain)
    {
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.False(fixture.Cluster.TryGetGrainContext(grain.GetGrainId(), out _));
    }

    private async Task<List<EntitlementEventRecord>> ListAllAsync()
    {
        var all = new List<EntitlementEventRecord>();
        string? cursor = null;
        do
        {
            var page = await Events.ListAsync(new EntitlementEventQuery { Limit = EntitlementEventQuery.MaxLimit, Cursor = cursor });
            Assert.False(page.InvalidCursor);
            all.AddRange(page.Events);
            cursor = page.Cursor;
        }
        while (cursor is not null);

        return all;
    }
}
