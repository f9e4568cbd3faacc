using Entitlements.Contracts;
using Entitlements.Ledger;

namespace Entitlements.Tests.Ledger;

public sealed class EntitlementDeciderTests
{
    private readonly LedgerScenario _ledger = new();

    [Fact]
    public void Grant_ConsumableToNewPlayer_RecordsEventWithCatalogValues()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 100);
        var command = LedgerScenario.Command(EntitlementActionType.Grant, "tx-1", catalog.Sku, quantity: 3) with { PlatformDataJson = """{"order":"A1"}""" };

        var granted = _ledger.Submit(command, catalog);

        var at = LedgerScenario.TimeOf(1);
        var expected = new LedgerEvent
        {
            EventId = "evt-1",
            Kind = LedgerEventKind.EntitlementEvent,
            PlayerUuid = _ledger.Player.PlayerUuid,
            Version = 1,
            Created = at,
            RequestFingerprint = RequestFingerprint.Of(command),
            Entitlement = new EntitlementEventRecord
            {
                EventId = "evt-1",
                ActionType = EntitlementActionType.Grant,
                EntitlementType = EntitlementType.Consumable,
                Status = EntitlementEventStatus.Success,
                PlayerUuid = _ledger.Player.PlayerUuid,
                PlayerId = 42,
                Platform = Platform.Steam,
                PlatformUserId = LedgerScenario.PlatformUserId,
                Sku = "gems-pack",
                Quantity = 3,
                PlatformTransactionId = "tx-1",
                PlatformDataJson = """{"order":"A1"}""",
                OrderId = "evt-1",
                LootId = TestCatalog.GrantLootId,
                Created = at,
                LastModified = at,
                Version = 1,
            },
            Effect = new LedgerEffect
            {
                ItemId = "gems",
                ItemName = "Gems",
                ItemClass = "currency",
                Clazz = EntitlementClazz.Entitlement,
                Type = EntitlementType.Consumable,
                Sku = "gems-pack",
                Units = 300,
                Shortfall = 0,
                Policy = RevocationPolicy.RevokeOrReport,
                Change = LedgerChange.Granted,
            },
        };
        Assert.Equal(expected, granted);
    }

    [Fact]
    public void Grant_Consumable_AddsQuantityTimesUnitsPerQuantity()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 100);

        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);
        var second = _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 2);

        Assert.Equal(200, second.Effect!.Units);
        var entitlement = _ledger.Entitlement("gems");
        Assert.Equal(500, entitlement.UseCount);
        Assert.Equal(EntitlementStatus.Active, entitlement.Status);
        Assert.Equal("evt-1", entitlement.EntitlementId);
        Assert.Equal(LedgerScenario.TimeOf(1), entitlement.CreatedAt);
        Assert.Equal(LedgerScenario.TimeOf(2), entitlement.GrantedAt);
        Assert.Equal(LedgerScenario.TimeOf(2), entitlement.UpdatedAt);
    }

    [Fact]
    public void Grant_DurableTwice_KeepsOneActiveEntitlement()
    {
        var catalog = TestCatalog.Durable();

        var first = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        var second = _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog);

        Assert.Equal(1, first.Effect!.Units);
        Assert.Equal(1, second.Effect!.Units);
        var entitlement = Assert.Single(_ledger.State.Items.Values, holding => holding.ItemId == "season-pass-1");
        Assert.Equal(2, entitlement.Balance);
        var view = _ledger.Entitlement("season-pass-1");
        Assert.Equal(1, view.UseCount);
        Assert.Equal(EntitlementStatus.Active, view.Status);
        Assert.Equal(EntitlementType.Durable, view.Type);
        Assert.Equal(EntitlementClazz.Subscription, view.Clazz);
        Assert.Equal("evt-1", view.EntitlementId);
    }

    [Fact]
    public void Refund_OneOfTwoDurableGrants_KeepsEntitlementActive()
    {
        var catalog = TestCatalog.Durable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog);

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);

        Assert.Equal(EntitlementEventStatus.Success, refund.Entitlement!.Status);
        Assert.Equal(-1, refund.Effect!.Units);
        Assert.Equal(LedgerChange.Revoked, refund.Effect.Change);
        var view = _ledger.Entitlement("season-pass-1");
        Assert.Equal(1, view.UseCount);
        Assert.Equal(EntitlementStatus.Active, view.Status);
    }

    [Fact]
    public void Refund_BothDurableGrants_RevokesEntitlement()
    {
        var catalog = TestCatalog.Durable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog);

        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);
        var second = _ledger.Submit(EntitlementActionType.Refund, "tx-2", catalog);

        Assert.Equal(-1, second.Effect!.Units);
        Assert.Equal(0, second.Effect.Shortfall);
        var view = _ledger.Entitlement("season-pass-1");
        Assert.Equal(0, view.UseCount);
        Assert.Equal(EntitlementStatus.Revoked, view.Status);
        Assert.Equal(0, _ledger.State.Items["season-pass-1"].Balance);
    }

    [Fact]
    public void Grant_DurableSingleUseTwice_RecordsSecondWithNoEffect()
    {
        var catalog = TestCatalog.DurableSingleUse();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);

        var second = _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog);

        Assert.Null(second.Effect);
        Assert.Equal(EntitlementEventStatus.Success, second.Entitlement!.Status);
        Assert.Equal(EntitlementType.DurableSingleUse, second.Entitlement.EntitlementType);
        Assert.Equal("evt-2", second.Entitlement.OrderId);
        Assert.Equal(2, _ledger.State.Version);
        Assert.Equal(1, _ledger.State.Items["starter-kit"].Balance);
        Assert.Equal(1, _ledger.Entitlement("starter-kit").UseCount);
    }

    [Fact]
    public void Grant_DurableSingleUseAfterRefund_RecordsGrantWithNoEffect()
    {
        var catalog = TestCatalog.DurableSingleUse();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);

        var regrant = _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog);

        Assert.Null(regrant.Effect);
        var view = _ledger.Entitlement("starter-kit");
        Assert.Equal(0, view.UseCount);
        Assert.Equal(EntitlementStatus.Revoked, view.Status);
    }

    [Fact]
    public void Refund_PartlyUsedConsumableWithRevokeOrReport_RevokesRemainderAndReportsShortfall()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.RevokeOrReport);
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        Assert.Equal(ConsumeOutcome.Consumed, _ledger.Consume("gems", 7).Outcome);

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        var expectedEffect = new LedgerEffect
        {
            ItemId = "gems",
            ItemName = "Gems",
            ItemClass = "currency",
            Clazz = EntitlementClazz.Entitlement,
            Type = EntitlementType.Consumable,
            Sku = "gems-pack",
            Units = -3,
            Shortfall = 7,
            Policy = RevocationPolicy.RevokeOrReport,
            Change = LedgerChange.Revoked,
        };
        Assert.Equal(expectedEffect, refund.Effect);
        Assert.Equal(grant.EventId, refund.Entitlement!.OrderId);
        var view = _ledger.Entitlement("gems");
        Assert.Equal(0, view.UseCount);
        Assert.Equal(EntitlementStatus.Revoked, view.Status);
    }

    [Fact]
    public void Refund_PartlyUsedConsumableWithAllowNegative_CarriesDebt()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.AllowNegative);
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Consume("gems", 7);

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        Assert.Equal(-10, refund.Effect!.Units);
        Assert.Equal(0, refund.Effect.Shortfall);
        Assert.Equal(RevocationPolicy.AllowNegative, refund.Effect.Policy);
        var view = _ledger.Entitlement("gems");
        Assert.Equal(-7, view.UseCount);
        Assert.Equal(EntitlementStatus.Revoked, view.Status);
    }

    [Fact]
    public void Grant_AfterAllowNegativeDebt_PaysDebtFirst()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.AllowNegative);
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Consume("gems", 7);
        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        var smallGrant = _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 5);
        Assert.Equal(5, smallGrant.Effect!.Units);
        Assert.Equal(-2, _ledger.Entitlement("gems").UseCount);
        Assert.Equal(EntitlementStatus.Revoked, _ledger.Entitlement("gems").Status);

        _ledger.Submit(EntitlementActionType.Grant, "tx-3", catalog, quantity: 5);

        var view = _ledger.Entitlement("gems");
        Assert.Equal(3, view.UseCount);
        Assert.Equal(EntitlementStatus.Active, view.Status);
        Assert.Equal(ConsumeOutcome.InsufficientBalance, _ledger.Consume("gems", 4).Outcome);
    }

    [Fact]
    public void ChargebackReversal_AfterChargeback_RestoresWhatChargebackRevoked()
    {
        var catalog = TestCatalog.Consumable();
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);
        Assert.Equal(-10, chargeback.Effect!.Units);
        Assert.Equal(0, _ledger.Entitlement("gems").UseCount);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);

        Assert.Equal(10, reversal.Effect!.Units);
        Assert.Equal(0, reversal.Effect.Shortfall);
        Assert.Equal(LedgerChange.Restored, reversal.Effect.Change);
        Assert.Equal(grant.EventId, reversal.Entitlement!.OrderId);
        var view = _ledger.Entitlement("gems");
        Assert.Equal(10, view.UseCount);
        Assert.Equal(EntitlementStatus.Active, view.Status);
    }

    [Fact]
    public void ChargebackReversal_AfterChargebackWithShortfall_RestoresOnlyWhatWasTaken()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.RevokeOrReport);
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Consume("gems", 7);
        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);
        Assert.Equal(-3, chargeback.Effect!.Units);
        Assert.Equal(7, chargeback.Effect.Shortfall);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);

        Assert.Equal(3, reversal.Effect!.Units);
        Assert.Equal(3, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void ChargebackReversal_AfterAllowNegativeChargeback_RestoresWholeGrant()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.AllowNegative);
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Consume("gems", 7);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);
        Assert.Equal(-7, _ledger.Entitlement("gems").UseCount);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);

        Assert.Equal(10, reversal.Effect!.Units);
        Assert.Equal(3, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void ChargebackReversal_AfterDurableChargeback_RestoresEntitlement()
    {
        var catalog = TestCatalog.Durable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        Assert.Equal(EntitlementStatus.Revoked, _ledger.Entitlement("season-pass-1").Status);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        Assert.Equal(1, reversal.Effect!.Units);
        var view = _ledger.Entitlement("season-pass-1");
        Assert.Equal(1, view.UseCount);
        Assert.Equal(EntitlementStatus.Active, view.Status);
    }

    [Fact]
    public void ChargebackReversal_WithoutChargeback_RecordsSuccessWithNoEffect()
    {
        var catalog = TestCatalog.Consumable();
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);

        Assert.Null(reversal.Effect);
        Assert.Equal(EntitlementEventStatus.Success, reversal.Entitlement!.Status);
        Assert.Equal(grant.EventId, reversal.Entitlement.OrderId);
        Assert.Equal(10, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Chargeback_AfterRefundOfSameTransaction_RecordsSuccessWithNoEffect()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 4);
        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);

        Assert.Null(chargeback.Effect);
        Assert.Equal(EntitlementEventStatus.Success, chargeback.Entitlement!.Status);
        Assert.Equal(4, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Refund_WithoutMatchingGrant_RecordsSuccessWithNoEffect()
    {
        var catalog = TestCatalog.Consumable();

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        Assert.Equal(EntitlementEventStatus.Success, refund.Entitlement!.Status);
        Assert.Null(refund.Effect);
        Assert.Null(refund.Entitlement.OrderId);
        Assert.Equal(TestCatalog.RefundLootId, refund.Entitlement.LootId);
        Assert.Equal(1, _ledger.State.Version);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Grant_AfterRefundOfSameTransaction_GivesNothing()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        Assert.Equal(EntitlementEventStatus.Success, grant.Entitlement!.Status);
        Assert.Null(grant.Effect);
        Assert.Equal("evt-2", grant.Entitlement.OrderId);
        Assert.Equal(2, _ledger.State.Version);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Grant_AfterChargebackOfSameTransaction_GivesNothing()
    {
        var catalog = TestCatalog.Durable();
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);

        Assert.Null(grant.Effect);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Refund_GrantOfAnotherPlayer_RecordsSuccessWithNoEffect()
    {
        var catalog = TestCatalog.Consumable();
        var otherPlayersGrant = new LedgerScenario().Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10) with
        {
            PlayerUuid = Guid.Parse("0a9e64a3-52a9-4c39-8f1e-3f3d8a1b2c4d"),
        };
        var command = LedgerScenario.Command(EntitlementActionType.Refund, "tx-1", catalog.Sku, quantity: 10);

        var refund = EntitlementDecider.DecideEntitlementEvent(
            LedgerState.Empty, new LedgerScenario().Player, command, catalog, [otherPlayersGrant], "evt-9", LedgerScenario.TimeOf(9));

        Assert.Null(refund.Effect);
        Assert.Null(refund.Entitlement!.OrderId);
        Assert.Equal(EntitlementEventStatus.Success, refund.Entitlement.Status);
    }

    [Theory]
    [InlineData(EntitlementActionType.Refund)]
    [InlineData(EntitlementActionType.Chargeback)]
    [InlineData(EntitlementActionType.ChargebackReversal)]
    public void Revocation_NotRevocablePolicy_RecordsNotImplementedWithNoEffect(EntitlementActionType action)
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.NotRevocable);
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        var revocation = _ledger.Submit(action, "tx-1", catalog, quantity: 10);

        Assert.Equal(EntitlementEventStatus.NotImplemented, revocation.Entitlement!.Status);
        Assert.Null(revocation.Effect);
        Assert.Equal(grant.EventId, revocation.Entitlement.OrderId);
        Assert.Equal(2, revocation.Version);
        Assert.Equal(10, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Grant_NotRevocablePolicy_GrantsNormally()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.NotRevocable);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        Assert.Equal(EntitlementEventStatus.Success, grant.Entitlement!.Status);
        Assert.Equal(10, grant.Effect!.Units);
        Assert.Equal(RevocationPolicy.NotRevocable, grant.Effect.Policy);
    }

    [Theory]
    [InlineData(EntitlementEventStatus.SkuNotFound)]
    [InlineData(EntitlementEventStatus.NotImplemented)]
    [InlineData(EntitlementEventStatus.PlayerNotFound)]
    [InlineData(EntitlementEventStatus.BanFailed)]
    public void Grant_CallerSuppliedNonSuccessStatus_RecordsStatusWithNoEffect(EntitlementEventStatus status)
    {
        var catalog = TestCatalog.Consumable();

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10, status: status);

        Assert.Equal(status, grant.Entitlement!.Status);
        Assert.Null(grant.Effect);
        Assert.Equal(EntitlementType.Consumable, grant.Entitlement.EntitlementType);
        Assert.Null(grant.Entitlement.OrderId);
        Assert.Equal(TestCatalog.GrantLootId, grant.Entitlement.LootId);
        Assert.Equal(1, grant.Version);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Chargeback_CallerSuppliedBanFailed_RecordsStatusWithNoEffect()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10, status: EntitlementEventStatus.BanFailed);

        Assert.Equal(EntitlementEventStatus.BanFailed, chargeback.Entitlement!.Status);
        Assert.Null(chargeback.Effect);
        Assert.Equal(10, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Grant_CallerSuppliedSuccessStatus_IsApplied()
    {
        var catalog = TestCatalog.Consumable();

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10, status: EntitlementEventStatus.Success);

        Assert.Equal(EntitlementEventStatus.Success, grant.Entitlement!.Status);
        Assert.Equal(10, grant.Effect!.Units);
    }

    [Fact]
    public void Grant_WithoutCatalogEntry_RecordsSkuNotFound()
    {
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog: null, quantity: 10);

        Assert.Equal(EntitlementEventStatus.SkuNotFound, grant.Entitlement!.Status);
        Assert.Null(grant.Effect);
        Assert.Null(grant.Entitlement.EntitlementType);
        Assert.Null(grant.Entitlement.LootId);
        Assert.Null(grant.Entitlement.OrderId);
        Assert.Equal("unknown-sku", grant.Entitlement.Sku);
        Assert.Equal(1, _ledger.State.Version);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Grant_AfterCatalogTypeChange_RecordsCatalogTypeAtDecisionTime()
    {
        var before = TestCatalog.Durable();
        var after = before with { EntitlementType = EntitlementType.DurableSingleUse, Revision = 2 };

        var first = _ledger.Submit(EntitlementActionType.Grant, "tx-1", before);
        var second = _ledger.Submit(EntitlementActionType.Grant, "tx-2", after);

        Assert.Equal(EntitlementType.Durable, first.Entitlement!.EntitlementType);
        Assert.Equal(EntitlementType.DurableSingleUse, second.Entitlement!.EntitlementType);
    }

    [Fact]
    public void Submit_EveryActionType_RecordsCatalogLootIdForThatAction()
    {
        var catalog = TestCatalog.Consumable();

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);
        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 10);
        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-2", catalog, quantity: 10);

        Assert.Equal(TestCatalog.GrantLootId, grant.Entitlement!.LootId);
        Assert.Equal(TestCatalog.ChargebackLootId, chargeback.Entitlement!.LootId);
        Assert.Equal(TestCatalog.ChargebackReversalLootId, reversal.Entitlement!.LootId);
        Assert.Equal(TestCatalog.RefundLootId, refund.Entitlement!.LootId);
    }

    [Fact]
    public void Submit_RevocationsOfAGrant_CarryGrantEventIdAsOrderId()
    {
        var catalog = TestCatalog.Consumable();

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog, quantity: 10);
        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 10);
        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, quantity: 10);

        Assert.Equal("evt-1", grant.Entitlement!.OrderId);
        Assert.Equal("evt-1", chargeback.Entitlement!.OrderId);
        Assert.Equal("evt-1", reversal.Entitlement!.OrderId);
        Assert.Equal("evt-1", refund.Entitlement!.OrderId);
        Assert.Equal(-10, refund.Effect!.Units);
    }

    [Fact]
    public void Consume_PartOfBalance_RecordsConsumedEvent()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);

        var (consumed, outcome) = _ledger.Consume("gems", 4, "op-7");

        Assert.Equal(ConsumeOutcome.Consumed, outcome);
        var expected = new LedgerEvent
        {
            EventId = "evt-2",
            Kind = LedgerEventKind.EntitlementConsumed,
            PlayerUuid = _ledger.Player.PlayerUuid,
            Version = 2,
            Created = LedgerScenario.TimeOf(2),
            OperationId = "op-7",
            RequestFingerprint = RequestFingerprint.Of(new ConsumeEntitlement("gems", 4, "op-7")),
            Effect = new LedgerEffect
            {
                ItemId = "gems",
                ItemName = "Gems",
                ItemClass = "currency",
                Clazz = EntitlementClazz.Entitlement,
                Type = EntitlementType.Consumable,
                Sku = "gems-pack",
                Units = -4,
                Change = LedgerChange.Consumed,
            },
        };
        Assert.Equal(expected, consumed);
        Assert.Equal(6, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Consume_WholeBalance_LeavesEntitlementConsumed()
    {
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(), quantity: 10);

        var (_, outcome) = _ledger.Consume("gems", 10);

        Assert.Equal(ConsumeOutcome.Consumed, outcome);
        var view = _ledger.Entitlement("gems");
        Assert.Equal(0, view.UseCount);
        Assert.Equal(EntitlementStatus.Consumed, view.Status);
    }

    [Fact]
    public void Consume_ItemNotHeld_ReturnsNotOwned()
    {
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(), quantity: 10);

        var (consumed, outcome) = _ledger.Consume("rubies", 1);

        Assert.Equal(ConsumeOutcome.NotOwned, outcome);
        Assert.Null(consumed);
        Assert.Equal(1, _ledger.State.Version);
    }

    [Fact]
    public void Consume_Durable_ReturnsNotConsumable()
    {
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", TestCatalog.Durable());

        var (consumed, outcome) = _ledger.Consume("season-pass-1", 1);

        Assert.Equal(ConsumeOutcome.NotConsumable, outcome);
        Assert.Null(consumed);
        Assert.Equal(1, _ledger.Entitlement("season-pass-1").UseCount);
    }

    [Fact]
    public void Consume_MoreThanBalance_ReturnsInsufficientBalance()
    {
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(), quantity: 5);

        var (consumed, outcome) = _ledger.Consume("gems", 6);

        Assert.Equal(ConsumeOutcome.InsufficientBalance, outcome);
        Assert.Null(consumed);
        Assert.Equal(5, _ledger.Entitlement("gems").UseCount);
        Assert.Equal(1, _ledger.State.Version);
    }

    [Fact]
    public void DecideUnassigned_WithCatalog_RecordsPlayerNotFoundWithNoPlayer()
    {
        var catalog = TestCatalog.Consumable();
        var command = LedgerScenario.Command(EntitlementActionType.Grant, "tx-1", catalog.Sku, quantity: 2);
        var at = LedgerScenario.TimeOf(1);

        var recorded = EntitlementDecider.DecideUnassigned(command, catalog, [], "evt-1", at);

        var expected = new LedgerEvent
        {
            EventId = "evt-1",
            Kind = LedgerEventKind.EntitlementEvent,
            Created = at,
            RequestFingerprint = RequestFingerprint.Of(command),
            Entitlement = new EntitlementEventRecord
            {
                EventId = "evt-1",
                ActionType = EntitlementActionType.Grant,
                EntitlementType = EntitlementType.Consumable,
                Status = EntitlementEventStatus.PlayerNotFound,
                Platform = Platform.Steam,
                PlatformUserId = LedgerScenario.PlatformUserId,
                Sku = "gems-pack",
                Quantity = 2,
                PlatformTransactionId = "tx-1",
                LootId = TestCatalog.GrantLootId,
                Created = at,
                LastModified = at,
            },
            NoEffect = new NoEffect { Reason = NoEffectReason.PlayerNotFound, Catalog = catalog },
        };
        Assert.Equal(expected, recorded);
    }

    [Fact]
    public void Decide_EventsWithNoEffect_SayWhyWithTheCatalogEntry()
    {
        var catalog = TestCatalog.Durable();
        var singleUse = TestCatalog.DurableSingleUse();
        var notRevocable = TestCatalog.Durable(RevocationPolicy.NotRevocable) with { Sku = "season-pass-final" };
        var given = _ledger.Submit(EntitlementActionType.Refund, "tx-0", catalog, status: EntitlementEventStatus.BanFailed);
        var unknownSku = _ledger.Submit(EntitlementActionType.Refund, "tx-9", null);
        var refundWithNoGrant = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);
        var grantAfterRefund = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        var chargebackAfterRefund = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", singleUse);
        var singleUseAgain = _ledger.Submit(EntitlementActionType.Grant, "tx-3", singleUse);
        var refundOfNothing = _ledger.Submit(EntitlementActionType.Refund, "tx-3", singleUse);
        var reversalWithNoChargeback = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-2", singleUse);
        var notImplemented = _ledger.Submit(EntitlementActionType.Chargeback, "tx-4", notRevocable);
        var granted = _ledger.Submit(EntitlementActionType.Grant, "tx-5", catalog);

        Assert.Equal(
            [
                (NoEffectReason.StatusGiven, catalog), (NoEffectReason.SkuNotFound, null), (NoEffectReason.NoGrant, catalog),
                (NoEffectReason.AlreadyRevoked, catalog), (NoEffectReason.AlreadyRevoked, catalog), (NoEffectReason.AlreadyGranted, singleUse),
                (NoEffectReason.GrantGaveNothing, singleUse), (NoEffectReason.NothingToRestore, singleUse), (NoEffectReason.NotRevocable, notRevocable),
            ],
            new[] { given, unknownSku, refundWithNoGrant, grantAfterRefund, chargebackAfterRefund, singleUseAgain, refundOfNothing, reversalWithNoChargeback, notImplemented }
                .Select(e => (e.NoEffect!.Reason, e.NoEffect.Catalog)));
        Assert.All([given, unknownSku, refundWithNoGrant, notImplemented], e => Assert.Null(e.Effect));
        Assert.Null(granted.NoEffect);
    }
    [Fact]
    public void Refund_AfterChargebackReversal_RevokesTheRestoredGrant()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);

        Assert.Equal(-10, refund.Effect!.Units);
        Assert.Equal(0, _ledger.Entitlement("gems").UseCount);
        Assert.Equal(EntitlementStatus.Revoked, _ledger.Entitlement("gems").Status);
    }

    [Fact]
    public void Grant_AfterRefundRecordedWithCallerStatus_IsApplied()
    {
        var catalog = TestCatalog.Consumable();
        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog, status: EntitlementEventStatus.NotImplemented);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 4);

        Assert.Null(refund.Effect);
        Assert.Equal(4, grant.Effect!.Units);
        Assert.Equal(4, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Grant_AfterChargebackAndReversalWithNoGrant_IsApplied()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 2);

        Assert.Equal(2, grant.Effect!.Units);
    }

    [Fact]
    public void Chargeback_AfterItsReversal_TakesNothingAndALaterRefundTakesTheGrantOnce()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 100);
        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);

        Assert.Null(reversal.Effect);
        Assert.Null(chargeback.Effect);
        Assert.Equal(NoEffectReason.AlreadyReversed, chargeback.NoEffect!.Reason);
        Assert.Equal(-100, refund.Effect!.Units);
        Assert.Equal(100, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Reversal_OfAChargebackThatBlockedTheGrant_AppliesTheGrant()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 10);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        var blocked = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog, quantity: 1);

        Assert.Null(blocked.Effect);
        Assert.Equal((30L, LedgerChange.Granted), (reversal.Effect!.Units, reversal.Effect.Change));
        Assert.Equal(blocked.EventId, reversal.Entitlement!.OrderId);
        Assert.Equal(30, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Grant_AfterARefundRecordedWithNoPlayer_GivesNothing()
    {
        var catalog = TestCatalog.Consumable();
        var refund = _ledger.SubmitUnassigned(EntitlementActionType.Refund, "tx-1", catalog);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        // The platform user was linked to nobody; the grant names the player. The refund still blocks it.
        Assert.Equal(EntitlementEventStatus.PlayerNotFound, refund.Entitlement!.Status);
        Assert.Equal(EntitlementEventStatus.Success, grant.Entitlement!.Status);
        Assert.Null(grant.Effect);
        Assert.Equal(NoEffectReason.AlreadyRevoked, grant.NoEffect!.Reason);
        Assert.Empty(_ledger.State.Items);
    }

    [Fact]
    public void Reversal_OfAChargebackRecordedWithNoPlayer_GivesTheGrantItBlocked()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 10);
        _ledger.SubmitUnassigned(EntitlementActionType.Chargeback, "tx-1", catalog);
        var blocked = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        Assert.Null(blocked.Effect);
        Assert.Equal((30L, LedgerChange.Granted), (reversal.Effect!.Units, reversal.Effect.Change));
        Assert.Equal(blocked.EventId, reversal.Entitlement!.OrderId);
        Assert.Equal(30, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Reversal_OfAChargebackRecordedWithNoPlayer_AfterTheSkuBecameNotRevocable_StillGivesTheGrantItBlocked()
    {
        // As for a player's applied chargeback: the policy of now stops new revocations, not the dispute's winner.
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 10);
        _ledger.SubmitUnassigned(EntitlementActionType.Chargeback, "tx-1", catalog);
        var blocked = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog with { RevocationPolicy = RevocationPolicy.NotRevocable });

        Assert.Null(blocked.Effect);
        Assert.Equal((EntitlementEventStatus.Success, 30L), (reversal.Entitlement!.Status, reversal.Effect!.Units));
        Assert.Equal(30, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Refund_AfterAChargebackRecordedWithNoPlayerWhileTheSkuWasNotRevocable_TakesTheGrant()
    {
        // The chargeback was decided when it came, as a player's would have been: not_implemented, blocking nothing;
        // the SKU made revocable later does not make it count.
        var notRevocable = TestCatalog.Consumable(RevocationPolicy.NotRevocable, unitsPerQuantity: 10);
        var chargeback = _ledger.SubmitUnassigned(EntitlementActionType.Chargeback, "tx-1", notRevocable);
        var revocable = notRevocable with { RevocationPolicy = RevocationPolicy.RevokeOrReport };
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", revocable, quantity: 3);

        var refund = _ledger.Submit(EntitlementActionType.Refund, "tx-1", revocable);

        Assert.Equal((EntitlementEventStatus.NotImplemented, null), (chargeback.Entitlement!.Status, chargeback.PlayerUuid));
        Assert.Equal(30, grant.Effect!.Units);
        Assert.Equal((EntitlementEventStatus.Success, -30L), (refund.Entitlement!.Status, refund.Effect!.Units));
        Assert.Equal(0, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void ReversalRecordedWithNoPlayer_OfANotRevocableSku_SettlesAChargebackThatCountsAndIsElseNotImplemented()
    {
        var revocable = TestCatalog.Consumable(unitsPerQuantity: 10);
        var notRevocable = revocable with { RevocationPolicy = RevocationPolicy.NotRevocable };
        _ledger.SubmitUnassigned(EntitlementActionType.Chargeback, "tx-1", revocable);

        var settling = _ledger.SubmitUnassigned(EntitlementActionType.ChargebackReversal, "tx-1", notRevocable);
        var alone = _ledger.SubmitUnassigned(EntitlementActionType.ChargebackReversal, "tx-2", notRevocable);
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", revocable, quantity: 3);

        Assert.Equal(EntitlementEventStatus.PlayerNotFound, settling.Entitlement!.Status);
        Assert.Equal(EntitlementEventStatus.NotImplemented, alone.Entitlement!.Status);
        Assert.Equal(30, grant.Effect!.Units);
    }

    [Fact]
    public void Chargeback_AfterAReversalRecordedWithNoPlayer_TakesNothing()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.SubmitUnassigned(EntitlementActionType.ChargebackReversal, "tx-1", catalog);
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        var chargeback = _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);

        Assert.Equal(100, grant.Effect!.Units);
        Assert.Null(chargeback.Effect);
        Assert.Equal(NoEffectReason.AlreadyReversed, chargeback.NoEffect!.Reason);
        Assert.Equal(100, _ledger.Entitlement("gems").UseCount);
    }

    [Theory]
    [InlineData(EntitlementEventStatus.PlayerNotFound)]
    [InlineData(EntitlementEventStatus.BanFailed)]
    public void Grant_AfterARefundRecordedWithNoPlayerAndACallerSuppliedStatus_IsApplied(EntitlementEventStatus status)
    {
        var catalog = TestCatalog.Consumable();
        _ledger.SubmitUnassigned(EntitlementActionType.Refund, "tx-1", catalog, status: status);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        // Not applied, so it blocks nothing, as for a player: even a supplied player_not_found.
        Assert.Equal(100, grant.Effect!.Units);
    }

    [Fact]
    public void Grant_AfterARefundRecordedWithNoPlayerForAnUnknownSku_IsApplied()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.SubmitUnassigned(EntitlementActionType.Refund, "tx-1", null);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        Assert.Equal(100, grant.Effect!.Units);
    }

    [Fact]
    public void Grant_OfANotRevocableSkuAfterARefundRecordedWithNoPlayer_IsApplied()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.NotRevocable);
        _ledger.SubmitUnassigned(EntitlementActionType.Refund, "tx-1", catalog);

        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        // As in the other order: the refund of a not_revocable SKU is recorded not_implemented, as a player's is, and takes nothing.
        Assert.Equal(100, grant.Effect!.Units);
    }

    [Fact]
    public void Reversal_AfterTheRefundOfAChargedBackGrant_RestoresNothing()
    {
        var catalog = TestCatalog.Durable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Refund, "tx-1", catalog);

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        Assert.Null(reversal.Effect);
        Assert.Equal(EntitlementStatus.Revoked, _ledger.Entitlement("season-pass-1").Status);
    }

    [Fact]
    public void Grant_PastTheLargestBalance_IsRefusedAndTheBalanceStays()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 5_000_000_000_000_000_000);

        // Two such grants used to wrap the balance round to a negative one, in the ledger for good.
        Assert.Throws<BalanceLimitException>(() => _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 5_000_000_000_000_000_000));

        Assert.Single(_ledger.Events);
        Assert.Equal(5_000_000_000_000_000_000, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Grant_QuantityTimesUnitsPastSixtyFourBits_IsRefused()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 1_000_000_000);

        Assert.Throws<BalanceLimitException>(() => _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 10_000_000_000));

        Assert.Empty(_ledger.Events);
    }

    [Fact]
    public void Reversal_RestoringPastTheLargestBalance_IsRefused()
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 5_000_000_000_000_000_000);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Grant, "tx-2", catalog, quantity: 5_000_000_000_000_000_000);

        Assert.Throws<BalanceLimitException>(() => _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", catalog));

        Assert.Equal(3, _ledger.Events.Count);
        Assert.Equal(5_000_000_000_000_000_000, _ledger.Entitlement("gems").UseCount);
    }

    [Fact]
    public void Reversal_AfterTheSkuWasMadeNotRevocable_RestoresWhatItsChargebackTook()
    {
        var catalog = TestCatalog.Durable();
        var grant = _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        var now = TestCatalog.Durable(RevocationPolicy.NotRevocable) with { Revision = 2 };

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", now);

        // The dispute was won: what the chargeback took comes back; the policy of now only stops new revocations.
        Assert.Equal(EntitlementEventStatus.Success, reversal.Entitlement!.Status);
        Assert.Equal(grant.EventId, reversal.Entitlement.OrderId);
        Assert.Equal((1L, LedgerChange.Restored), (reversal.Effect!.Units, reversal.Effect.Change));
        Assert.Equal(EntitlementStatus.Active, _ledger.Entitlement("season-pass-1").Status);
        Assert.Equal(EntitlementEventStatus.NotImplemented, _ledger.Submit(EntitlementActionType.Refund, "tx-1", now).Entitlement!.Status);
        Assert.Equal(EntitlementStatus.Active, _ledger.Entitlement("season-pass-1").Status);
    }

    [Fact]
    public void Reversal_OfAChargebackThatBlockedTheGrant_AfterTheSkuWasMadeNotRevocable_AppliesTheGrant()
    {
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 10);
        _ledger.Submit(EntitlementActionType.Chargeback, "tx-1", catalog);
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);
        var now = TestCatalog.Consumable(RevocationPolicy.NotRevocable, unitsPerQuantity: 10) with { Revision = 2 };

        var reversal = _ledger.Submit(EntitlementActionType.ChargebackReversal, "tx-1", now);

        Assert.Equal(EntitlementEventStatus.Success, reversal.Entitlement!.Status);
        Assert.Equal((30L, LedgerChange.Granted), (reversal.Effect!.Units, reversal.Effect.Change));
        Assert.Equal(30, _ledger.Entitlement("gems").UseCount);
    }

    /// <summary>
    /// Every order of every set of a transaction's grant, refund, chargeback and reversal; each with the platform
    /// user linked to the player throughout, and linked to nobody until the grant (which names the player), so
    /// that whatever comes before the grant is recorded with no player.
    /// </summary>
    public static TheoryData<string, bool> TransactionOrders()
    {
        string[] actions = ["G", "R", "C", "V"];
        var orders = new TheoryData<string, bool>();
        foreach (var order in Orders(actions))
        {
            orders.Add(string.Concat(order), false);
            orders.Add(string.Concat(order), true);
        }

        return orders;
    }

    [Theory]
    [MemberData(nameof(TransactionOrders))]
    public void TransactionEvents_InAnyOrder_LeaveWhatTheirSetSays(string order, bool unlinkedUntilTheGrant)
    {
        // Another purchase keeps a balance beside this transaction's, so that a revocation taken twice shows.
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-other", catalog, quantity: 100);
        var granted = false;
        foreach (var action in order)
        {
            var type = action switch
            {
                'G' => EntitlementActionType.Grant,
                'R' => EntitlementActionType.Refund,
                'C' => EntitlementActionType.Chargeback,
                _ => EntitlementActionType.ChargebackReversal,
            };
            granted |= type == EntitlementActionType.Grant;
            if (unlinkedUntilTheGrant && !granted)
            {
                _ledger.SubmitUnassigned(type, "tx-1", catalog);
            }
            else
            {
                _ledger.Submit(type, "tx-1", catalog, quantity: type == EntitlementActionType.Grant ? 10 : 1);
            }
        }

        // The transaction stands when granted, not refunded, and not charged back unless reversed.
        var stands = order.Contains('G', StringComparison.Ordinal) && !order.Contains('R', StringComparison.Ordinal)
            && !(order.Contains('C', StringComparison.Ordinal) && !order.Contains('V', StringComparison.Ordinal));
        Assert.Equal(stands ? 110 : 100, _ledger.Entitlement("gems").UseCount);
    }

    private static IEnumerable<List<string>> Orders(string[] actions)
    {
        for (var mask = 1; mask < 1 << actions.Length; mask++)
        {
            var chosen = actions.Where((_, i) => (mask & (1 << i)) != 0).ToList();
            foreach (var permutation in Permutations(chosen))
            {
                yield return permutation;
            }
        }
    }

    private static IEnumerable<List<string>> Permutations(List<string> items)
    {
        if (items.Count <= 1)
        {
            yield return [.. items];
            yield break;
        }

        foreach (var first in items)
        {
            foreach (var rest in Permutations(items.Where(i => i != first).ToList()))
            {
                yield return [first, .. rest];
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Submit_QuantityNotPositive_Throws(long quantity)
    {
        var catalog = TestCatalog.Consumable();

        Assert.Throws<ArgumentOutOfRangeException>(() => _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity));
        Assert.Empty(_ledger.Events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Consume_QuantityNotPositive_Throws(long quantity)
    {
        var catalog = TestCatalog.Consumable();
        _ledger.Submit(EntitlementActionType.Grant, "tx-1", catalog, quantity: 5);

        Assert.Throws<ArgumentOutOfRangeException>(() => _ledger.Consume("gems", quantity));
        Assert.Equal(5, _ledger.Entitlement("gems").UseCount);
    }
}
