using System.Text.Json.Nodes;
using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Notifications;
using Entitlements.Tests.Ledger;

namespace Entitlements.Tests.Notifications;

/// <summary>Which notifications each kind of ledger event produces, compared as whole JSON messages.</summary>
public sealed class NotificationFactoryTests
{
    private const string UserHex = "6f1c2a7e0d4b4c559a432f1b8f3e9d10";
    private static readonly NotificationOptions Options = new() { Namespace = "mygame", ClientId = "entitlements-test" };

    private readonly LedgerScenario _scenario = new();

    [Fact]
    public void Attach_ConsumableGrant_ProducesGrantWithTheBalanceAfterIt()
    {
        var grant = Decide(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 100), quantity: 2);

        AssertJson(
            """
            {"type": "entitlementUpdated", "payload": {"action": "grant", "data": [{
              "id": "evt-1", "namespace": "mygame", "clazz": "ENTITLEMENT", "type": "CONSUMABLE", "status": "ACTIVE",
              "sku": "gems-pack", "userId": "6f1c2a7e0d4b4c559a432f1b8f3e9d10", "itemId": "gems", "itemNamespace": "mygame",
              "name": "Gems", "useCount": 200, "source": "PURCHASE",
              "grantedAt": "2025-03-01T12:00:01.000Z", "createdAt": "2025-03-01T12:00:01.000Z", "updatedAt": "2025-03-01T12:00:01.000Z",
              "stackable": true, "stackedUseCount": 200}]}}
            """,
            NotificationJson.Serialize(grant.EntitlementUpdated!));
        Assert.Null(grant.RevocationCompleted);
    }

    [Fact]
    public void Attach_DurableGrant_ProducesGrantOfANonStackableEntitlement()
    {
        var grant = Decide(EntitlementActionType.Grant, "tx-1", TestCatalog.Durable());

        AssertJson(
            """
            {"type": "entitlementUpdated", "payload": {"action": "grant", "data": [{
              "id": "evt-1", "namespace": "mygame", "clazz": "SUBSCRIPTION", "type": "DURABLE", "status": "ACTIVE",
              "sku": "season-pass", "userId": "6f1c2a7e0d4b4c559a432f1b8f3e9d10", "itemId": "season-pass-1", "itemNamespace": "mygame",
              "name": "Season Pass 1", "useCount": 1, "source": "PURCHASE",
              "grantedAt": "2025-03-01T12:00:01.000Z", "createdAt": "2025-03-01T12:00:01.000Z", "updatedAt": "2025-03-01T12:00:01.000Z",
              "stackable": false}]}}
            """,
            NotificationJson.Serialize(grant.EntitlementUpdated!));
    }

    [Fact]
    public void Attach_Consumption_ProducesConsume()
    {
        Decide(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 10));
        var before = _scenario.State;
        var (consumed, _) = _scenario.Consume("gems", 4);

        var attached = NotificationFactory.Attach(consumed!, before, Options);

        var message = attached.EntitlementUpdated!;
        Assert.Equal("consume", message.Payload.Action);
        var entitlement = Assert.Single(message.Payload.Data);
        Assert.Equal(6, entitlement.UseCount);
        Assert.Equal("ACTIVE", entitlement.Status);
        Assert.Equal("2025-03-01T12:00:02.000Z", entitlement.UpdatedAt);
        Assert.Null(attached.RevocationCompleted);
    }

    [Fact]
    public void Attach_RefundAfterPartUsed_RevokesTheRestAndReportsTheShortfallAsSkipped()
    {
        Decide(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 100), quantity: 2);
        _scenario.Consume("gems", 150);

        var refund = Decide(EntitlementActionType.Refund, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 100), quantity: 2);

        Assert.Equal("revoke", refund.EntitlementUpdated!.Payload.Action);
        var entitlement = Assert.Single(refund.EntitlementUpdated.Payload.Data);
        Assert.Equal(0, entitlement.UseCount);
        Assert.Equal("REVOKED", entitlement.Status);
        AssertJson(
            $$$"""
            {"id": "evt-3", "version": 1, "name": "revocationCompleted", "namespace": "mygame", "timestamp": "2025-03-01T12:00:03.000Z",
             "clientId": "entitlements-test", "userId": null, "traceId": "trace-1", "sessionId": null,
             "payload": {
               "userId": "{{{UserHex}}}", "source": "ORDER",
               "meta": {"event_id": "evt-3", "action_type": "refund", "platform": "Steam", "platform_transaction_id": "tx-1",
                        "platform_user_id": "steam-user-1", "sku": "gems-pack", "order_id": "evt-1", "version": 3},
               "creditRevocations": [],
               "entitlementRevocations": [
                 {"entitlementId": "evt-1", "quantity": 50, "itemId": "gems", "itemSku": "gems-pack", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": false, "reason": null},
                 {"entitlementId": "evt-1", "quantity": 150, "itemId": "gems", "itemSku": "gems-pack", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": true, "reason": "already used: revoked what was left"}],
               "itemRevocations": [
                 {"quantity": 50, "itemId": "gems", "itemSku": "gems-pack", "itemType": "INGAMEITEM", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": false, "reason": "already used: revoked what was left",
                  "itemRevocations": [], "creditRevocations": [], "entitlementRevocations": []}],
               "revokeEntries": [
                 {"type": "ENTITLEMENT", "item": {"itemIdentityType": "ITEM_ID", "itemIdentity": "gems"},
                  "entitlement": {"entitlementId": "evt-1", "type": "CONSUMABLE", "clazz": "ENTITLEMENT"}, "currency": null, "quantity": 200}],
               "revocationId": "evt-3", "namespace": "mygame", "status": "SUCCESS", "revocationError": [], "requestId": "evt-3"}}
            """,
            NotificationJson.Serialize(refund.RevocationCompleted!));
    }

    [Fact]
    public void Attach_CountsBeyondInt32_AreSentAtTheBoundAccelBytesSchemasHave()
    {
        // 3 × 1,000,000,000 units, 3e9: within the gateway's limits, beyond AccelByte's int32 counts.
        var catalog = TestCatalog.Consumable(unitsPerQuantity: 1_000_000_000);
        var grant = Decide(EntitlementActionType.Grant, "tx-1", catalog, quantity: 3);
        _scenario.Consume("gems", 2);

        var refund = Decide(EntitlementActionType.Refund, "tx-1", catalog, quantity: 3);

        var granted = Assert.Single(grant.EntitlementUpdated!.Payload.Data);
        Assert.Equal((int.MaxValue, (long?)int.MaxValue), (granted.UseCount, granted.StackedUseCount));
        Assert.Equal(3_000_000_000, _scenario.Events[0].Effect!.Units);
        var payload = refund.RevocationCompleted!.Payload;
        Assert.Equal(
            [(int.MaxValue, false), (2L, true)],
            payload.EntitlementRevocations.Select(r => (r.Quantity, r.Skipped)));
        Assert.Equal(int.MaxValue, Assert.Single(payload.ItemRevocations).Quantity);
        Assert.Equal(int.MaxValue, Assert.Single(payload.RevokeEntries).Quantity);
        Assert.Equal(0, Assert.Single(refund.EntitlementUpdated!.Payload.Data).UseCount);
    }

    [Fact]
    public void Attach_ChargebackWithAllowNegative_RevokesEverythingWithNothingSkipped()
    {
        var catalog = TestCatalog.Consumable(RevocationPolicy.AllowNegative, unitsPerQuantity: 10);
        Decide(EntitlementActionType.Grant, "tx-1", catalog);
        _scenario.Consume("gems", 7);

        var chargeback = Decide(EntitlementActionType.Chargeback, "tx-1", catalog);

        Assert.Equal(-7, Assert.Single(chargeback.EntitlementUpdated!.Payload.Data).UseCount);
        var revocation = Assert.Single(chargeback.RevocationCompleted!.Payload.EntitlementRevocations);
        Assert.Equal((10, "ALWAYS_REVOKE", false, (string?)null), (revocation.Quantity, revocation.RevocationStrategy, revocation.Skipped, revocation.Reason));
        Assert.Equal("chargeback", chargeback.RevocationCompleted.Payload.Meta.ActionType);
    }

    /// <summary>
    /// A refund of a grant that was used up takes no units, but it still revokes the entitlement: the listing
    /// goes from CONSUMED to REVOKED, so the player gets <c>entitlementUpdated</c> <c>revoke</c>, and the
    /// <c>revocationCompleted</c> reports the whole grant as skipped.
    /// </summary>
    [Fact]
    public void Attach_RefundOfAFullyUsedGrant_RevokesTheEntitlementAndReportsOnlyTheSkippedPart()
    {
        Decide(EntitlementActionType.Grant, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 10));
        _scenario.Consume("gems", 10);
        Assert.Equal((EntitlementStatus.Consumed, 0L), (_scenario.Entitlement("gems").Status, _scenario.Entitlement("gems").UseCount));

        var refund = Decide(EntitlementActionType.Refund, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 10));

        Assert.Equal((EntitlementStatus.Revoked, 0L), (_scenario.Entitlement("gems").Status, _scenario.Entitlement("gems").UseCount));
        AssertJson(
            """
            {"type": "entitlementUpdated", "payload": {"action": "revoke", "data": [{
              "id": "evt-1", "namespace": "mygame", "clazz": "ENTITLEMENT", "type": "CONSUMABLE", "status": "REVOKED",
              "sku": "gems-pack", "userId": "6f1c2a7e0d4b4c559a432f1b8f3e9d10", "itemId": "gems", "itemNamespace": "mygame",
              "name": "Gems", "useCount": 0, "source": "PURCHASE",
              "grantedAt": "2025-03-01T12:00:01.000Z", "createdAt": "2025-03-01T12:00:01.000Z", "updatedAt": "2025-03-01T12:00:03.000Z",
              "stackable": true, "stackedUseCount": 0}]}}
            """,
            NotificationJson.Serialize(refund.EntitlementUpdated!));
        AssertJson(
            $$$"""
            {"id": "evt-3", "version": 1, "name": "revocationCompleted", "namespace": "mygame", "timestamp": "2025-03-01T12:00:03.000Z",
             "clientId": "entitlements-test", "userId": null, "traceId": "trace-1", "sessionId": null,
             "payload": {
               "userId": "{{{UserHex}}}", "source": "ORDER",
               "meta": {"event_id": "evt-3", "action_type": "refund", "platform": "Steam", "platform_transaction_id": "tx-1",
                        "platform_user_id": "steam-user-1", "sku": "gems-pack", "order_id": "evt-1", "version": 3},
               "creditRevocations": [],
               "entitlementRevocations": [
                 {"entitlementId": "evt-1", "quantity": 10, "itemId": "gems", "itemSku": "gems-pack", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": true, "reason": "already used: revoked what was left"}],
               "itemRevocations": [
                 {"quantity": 0, "itemId": "gems", "itemSku": "gems-pack", "itemType": "INGAMEITEM", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": true, "reason": "already used: revoked what was left",
                  "itemRevocations": [], "creditRevocations": [], "entitlementRevocations": []}],
               "revokeEntries": [
                 {"type": "ENTITLEMENT", "item": {"itemIdentityType": "ITEM_ID", "itemIdentity": "gems"},
                  "entitlement": {"entitlementId": "evt-1", "type": "CONSUMABLE", "clazz": "ENTITLEMENT"}, "currency": null, "quantity": 10}],
               "revocationId": "evt-3", "namespace": "mygame", "status": "SUCCESS", "revocationError": [], "requestId": "evt-3"}}
            """,
            NotificationJson.Serialize(refund.RevocationCompleted!));
    }

    [Fact]
    public void Attach_RefundOfAnItemSoldUnderTwoSkus_NamesTheSkuOfTheRefundedGrant()
    {
        var first = TestCatalog.Consumable(unitsPerQuantity: 10);
        var bigger = first with { Sku = "gems-pack-large", UnitsPerQuantity = 50 };
        Decide(EntitlementActionType.Grant, "tx-1", first);
        Decide(EntitlementActionType.Grant, "tx-2", bigger);

        var refund = Decide(EntitlementActionType.Refund, "tx-2", bigger).RevocationCompleted!.Payload;

        Assert.Equal("gems-pack-large", refund.Meta.Sku);
        Assert.Equal(("gems-pack-large", 50L), (Assert.Single(refund.EntitlementRevocations).ItemSku, refund.EntitlementRevocations[0].Quantity));
        Assert.Equal("gems-pack-large", Assert.Single(refund.ItemRevocations).ItemSku);
    }

    [Theory]
    [InlineData(EntitlementClazz.Entitlement, "INGAMEITEM")]
    [InlineData(EntitlementClazz.App, "APP")]
    [InlineData(EntitlementClazz.Code, "CODE")]
    [InlineData(EntitlementClazz.Lootbox, "LOOTBOX")]
    [InlineData(EntitlementClazz.Media, "MEDIA")]
    [InlineData(EntitlementClazz.Optionbox, "OPTIONBOX")]
    [InlineData(EntitlementClazz.Subscription, "SUBSCRIPTION")]
    public void Attach_Refund_ItemTypeIsAccelBytesItemTypeOfTheClass(EntitlementClazz clazz, string itemType)
    {
        var catalog = TestCatalog.Durable() with { Clazz = clazz };
        Decide(EntitlementActionType.Grant, "tx-1", catalog);

        var refund = Decide(EntitlementActionType.Refund, "tx-1", catalog).RevocationCompleted!.Payload;

        Assert.Equal(itemType, Assert.Single(refund.ItemRevocations).ItemType);
        Assert.Equal(("DURABLE", WireNames<EntitlementClazz>.Of(clazz)), (refund.RevokeEntries[0].Entitlement!.Type, refund.RevokeEntries[0].Entitlement!.Clazz));
    }

    [Fact]
    public void Attach_ChargebackReversal_ProducesGrantWithTheRestoredBalance()
    {
        var catalog = TestCatalog.Durable();
        Decide(EntitlementActionType.Grant, "tx-1", catalog);
        Decide(EntitlementActionType.Chargeback, "tx-1", catalog);

        var reversal = Decide(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        Assert.Equal("grant", reversal.EntitlementUpdated!.Payload.Action);
        var entitlement = Assert.Single(reversal.EntitlementUpdated.Payload.Data);
        Assert.Equal(("ACTIVE", 1L), (entitlement.Status, entitlement.UseCount));
        Assert.Null(reversal.RevocationCompleted);
    }

    [Fact]
    public void Attach_GrantAfterARefundRecordedWithNoPlayer_ProducesNoNotification()
    {
        var catalog = TestCatalog.Consumable();
        _scenario.SubmitUnassigned(EntitlementActionType.Refund, "tx-1", catalog);

        var grant = Decide(EntitlementActionType.Grant, "tx-1", catalog, quantity: 100);

        Assert.Equal((null, null, null), (grant.EntitlementUpdated, grant.RevocationCompleted, grant.NoEffect));
    }

    [Fact]
    public void Attach_EventsThatChangeNothing_ProduceNoNotification()
    {
        var catalog = TestCatalog.Durable();
        var unknownSku = Decide(EntitlementActionType.Grant, "tx-0", null);
        var suppliedStatus = Decide(EntitlementActionType.Grant, "tx-2", catalog, status: EntitlementEventStatus.BanFailed);
        Decide(EntitlementActionType.Refund, "tx-3", catalog);
        var grantAfterRefund = Decide(EntitlementActionType.Grant, "tx-3", catalog);
        var singleUse = TestCatalog.DurableSingleUse();
        Decide(EntitlementActionType.Grant, "tx-4", singleUse);
        var singleUseAgain = Decide(EntitlementActionType.Grant, "tx-5", singleUse);
        var reversalWithoutChargeback = Decide(EntitlementActionType.ChargebackReversal, "tx-6", catalog);
        var notRevocable = TestCatalog.Durable(RevocationPolicy.NotRevocable);
        var reversalNotRevocable = Decide(EntitlementActionType.ChargebackReversal, "tx-7", notRevocable);
        var unassignedRefund = NotificationFactory.Attach(
            EntitlementDecider.DecideUnassigned(LedgerScenario.Command(EntitlementActionType.Refund, "tx-8", catalog.Sku), catalog, [], "evt-x", LedgerScenario.Start),
            LedgerState.Empty,
            Options);

        Assert.All(
            [unknownSku, suppliedStatus, grantAfterRefund, singleUseAgain, reversalWithoutChargeback, reversalNotRevocable, unassignedRefund],
            e => Assert.Equal((null, null, null), (e.EntitlementUpdated, e.RevocationCompleted, e.NoEffect)));
    }

    [Fact]
    public void Attach_RefundWithNoGrant_ProducesOnlyASuccessfulRevocationWithTheItemSkipped()
    {
        var refund = Decide(EntitlementActionType.Refund, "tx-1", TestCatalog.Consumable(unitsPerQuantity: 100), quantity: 2);

        Assert.Null(refund.EntitlementUpdated);
        Assert.Null(refund.NoEffect);
        AssertJson(
            $$$"""
            {"id": "evt-1", "version": 1, "name": "revocationCompleted", "namespace": "mygame", "timestamp": "2025-03-01T12:00:01.000Z",
             "clientId": "entitlements-test", "userId": null, "traceId": "trace-1", "sessionId": null,
             "payload": {
               "userId": "{{{UserHex}}}", "source": "ORDER",
               "meta": {"event_id": "evt-1", "action_type": "refund", "platform": "Steam", "platform_transaction_id": "tx-1",
                        "platform_user_id": "steam-user-1", "sku": "gems-pack", "order_id": null, "version": 1},
               "creditRevocations": [],
               "entitlementRevocations": [],
               "itemRevocations": [
                 {"quantity": 0, "itemId": "gems", "itemSku": "gems-pack", "itemType": "INGAMEITEM", "revocationStrategy": "REVOKE_OR_REPORT",
                  "status": "SUCCESS", "skipped": true, "reason": "no grant of this transaction yet: nothing to revoke",
                  "itemRevocations": [], "creditRevocations": [], "entitlementRevocations": []}],
               "revokeEntries": [
                 {"type": "ITEM", "item": {"itemIdentityType": "ITEM_ID", "itemIdentity": "gems"}, "entitlement": null, "currency": null, "quantity": 0}],
               "revocationId": "evt-1", "namespace": "mygame", "status": "SUCCESS", "revocationError": [], "requestId": "evt-1"}}
            """,
            NotificationJson.Serialize(refund.RevocationCompleted!));
    }

    [Fact]
    public void Attach_RefundOfANotRevocableSku_ProducesOnlyAFailedRevocationWithOneError()
    {
        var catalog = TestCatalog.Durable(RevocationPolicy.NotRevocable);
        Decide(EntitlementActionType.Grant, "tx-1", catalog);

        var refund = Decide(EntitlementActionType.Refund, "tx-1", catalog);

        Assert.Null(refund.EntitlementUpdated);
        AssertJson(
            $$$"""
            {"id": "evt-2", "version": 1, "name": "revocationCompleted", "namespace": "mygame", "timestamp": "2025-03-01T12:00:02.000Z",
             "clientId": "entitlements-test", "userId": null, "traceId": "trace-1", "sessionId": null,
             "payload": {
               "userId": "{{{UserHex}}}", "source": "ORDER",
               "meta": {"event_id": "evt-2", "action_type": "refund", "platform": "Steam", "platform_transaction_id": "tx-1",
                        "platform_user_id": "steam-user-1", "sku": "season-pass", "order_id": "evt-1", "version": 2},
               "creditRevocations": [],
               "entitlementRevocations": [],
               "itemRevocations": [
                 {"quantity": 0, "itemId": "season-pass-1", "itemSku": "season-pass", "itemType": "SUBSCRIPTION", "revocationStrategy": "CUSTOM",
                  "status": "FAIL", "skipped": false, "reason": "not_implemented: the SKU is not revocable; nothing was revoked",
                  "itemRevocations": [], "creditRevocations": [], "entitlementRevocations": []}],
               "revokeEntries": [
                 {"type": "ITEM", "item": {"itemIdentityType": "ITEM_ID", "itemIdentity": "season-pass-1"}, "entitlement": null, "currency": null, "quantity": 0}],
               "revocationId": "evt-2", "namespace": "mygame", "status": "FAIL",
               "revocationError": [{"httpStatus": 422, "code": 422, "message": "not_implemented: the SKU is not revocable; nothing was revoked"}],
               "requestId": "evt-2"}}
            """,
            NotificationJson.Serialize(refund.RevocationCompleted!));
    }

    [Fact]
    public void Attach_ChargebackOfAnUnknownSku_FailsWithNotFoundAndNamesNoItem()
    {
        var chargeback = Decide(EntitlementActionType.Chargeback, "tx-1", null);

        var payload = chargeback.RevocationCompleted!.Payload;
        Assert.Null(chargeback.EntitlementUpdated);
        Assert.Equal(("FAIL", "chargeback", "unknown-sku"), (payload.Status, payload.Meta.ActionType, payload.Meta.Sku));
        Assert.Equal(
            new RevocationError { HttpStatus = 404, Code = 404, Message = "sku_not_found: the SKU is not in the catalog; nothing was revoked" },
            Assert.Single(payload.RevocationError));
        Assert.Equal((0, 0, 0), (payload.EntitlementRevocations.Count, payload.ItemRevocations.Count, payload.RevokeEntries.Count));
    }

    [Theory]
    [InlineData(EntitlementEventStatus.BanFailed, 500, "ban_failed")]
    [InlineData(EntitlementEventStatus.SkuNotFound, 404, "sku_not_found")]
    [InlineData(EntitlementEventStatus.NotImplemented, 422, "not_implemented")]
    [InlineData(EntitlementEventStatus.PlayerNotFound, 404, "player_not_found")]
    public void Attach_ChargebackWithACallerSuppliedStatus_FailsWithThatStatusAndTheItemFailed(EntitlementEventStatus status, int httpStatus, string name)
    {
        var catalog = TestCatalog.Durable();
        Decide(EntitlementActionType.Grant, "tx-1", catalog);

        var chargeback = Decide(EntitlementActionType.Chargeback, "tx-1", catalog, status: status);

        var payload = chargeback.RevocationCompleted!.Payload;
        var message = $"{name}: recorded with the status the caller gave; nothing was revoked";
        Assert.Null(chargeback.EntitlementUpdated);
        Assert.Equal("FAIL", payload.Status);
        Assert.Equal(new RevocationError { HttpStatus = httpStatus, Code = httpStatus, Message = message }, Assert.Single(payload.RevocationError));
        var item = Assert.Single(payload.ItemRevocations);
        Assert.Equal(("season-pass-1", 0L, "FAIL", false, message), (item.ItemId, item.Quantity, item.Status, item.Skipped, item.Reason));
        Assert.Empty(payload.EntitlementRevocations);
    }

    [Fact]
    public void Attach_RevocationsThatTakeNothing_SucceedWithTheItemSkippedForTheirReason()
    {
        var catalog = TestCatalog.Durable();
        Decide(EntitlementActionType.Grant, "tx-1", catalog);
        Decide(EntitlementActionType.Refund, "tx-1", catalog);
        var chargebackAfterRefund = Decide(EntitlementActionType.Chargeback, "tx-1", catalog);
        var singleUse = TestCatalog.DurableSingleUse();
        Decide(EntitlementActionType.Grant, "tx-2", singleUse);
        Decide(EntitlementActionType.Grant, "tx-3", singleUse);
        var refundOfAGrantOfNothing = Decide(EntitlementActionType.Refund, "tx-3", singleUse);

        Assert.All([chargebackAfterRefund, refundOfAGrantOfNothing], e => Assert.Null(e.EntitlementUpdated));
        Assert.Equal(
            [
                ("SUCCESS", "season-pass-1", true, "transaction already revoked: nothing left to revoke", (string?)"evt-1"),
                ("SUCCESS", "starter-kit", true, "the grant gave nothing: nothing to revoke", "evt-5"),
            ],
            new[] { chargebackAfterRefund, refundOfAGrantOfNothing }.Select(e =>
            {
                var payload = e.RevocationCompleted!.Payload;
                var item = Assert.Single(payload.ItemRevocations);
                Assert.Empty(payload.EntitlementRevocations);
                Assert.Empty(payload.RevocationError);
                Assert.Equal(("ITEM", 0L), (Assert.Single(payload.RevokeEntries).Type, payload.RevokeEntries[0].Quantity));
                return (payload.Status, item.ItemId, item.Skipped, item.Reason, payload.Meta.OrderId);
            }));
    }

    [Fact]
    public void Attach_ChargebackAfterItsReversal_SucceedsWithTheItemSkippedAsAlreadyReversed()
    {
        var catalog = TestCatalog.Durable();
        Decide(EntitlementActionType.Grant, "tx-1", catalog);
        Decide(EntitlementActionType.ChargebackReversal, "tx-1", catalog);

        var chargeback = Decide(EntitlementActionType.Chargeback, "tx-1", catalog);

        var payload = chargeback.RevocationCompleted!.Payload;
        var item = Assert.Single(payload.ItemRevocations);
        Assert.Null(chargeback.EntitlementUpdated);
        Assert.Equal(
            ("SUCCESS", "season-pass-1", 0L, "SUCCESS", true, "chargeback already reversed: nothing to revoke", (string?)"evt-1"),
            (payload.Status, item.ItemId, item.Quantity, item.Status, item.Skipped, item.Reason, payload.Meta.OrderId));
        Assert.Empty(payload.EntitlementRevocations);
        Assert.Empty(payload.RevocationError);
        Assert.Equal(("ITEM", 0L), (Assert.Single(payload.RevokeEntries).Type, payload.RevokeEntries[0].Quantity));
    }

    private LedgerEvent Decide(
        EntitlementActionType action, string transactionId, CatalogSku? catalog, long quantity = 1, EntitlementEventStatus? status = null)
    {
        var before = _scenario.State;
        var decided = _scenario.Submit(action, transactionId, catalog, quantity, status);
        return NotificationFactory.Attach(decided, before, Options, traceId: "trace-1");
    }

    private static void AssertJson(string expected, string actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        var actualNode = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(expectedNode, actualNode), $"Expected {expectedNode!.ToJsonString()}\nActual   {actualNode!.ToJsonString()}");
    }
}
