using Entitlements.Contracts;
using Entitlements.Notifications;

namespace Entitlements.Tests.Webhooks;

/// <summary>Players, SKUs and entitlement events made through the grains, each with fresh ids.</summary>
public sealed class LedgerActions(IClusterClient client)
{
    public async Task<PlatformUserLink> NewPlayerAsync()
    {
        var result = await client.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, Unique("user"))).LinkAsync("Player", null);
        Assert.True(result.Created);
        return result.Link;
    }

    public async Task<CatalogSku> PutSkuAsync()
    {
        var sku = new CatalogSku
        {
            Platform = Platform.Steam,
            Sku = Unique("sku"),
            EntitlementType = EntitlementType.Consumable,
            ItemId = Unique("item"),
            ItemName = "Gems",
            ItemClass = "currency",
            UnitsPerQuantity = 10,
            LootId = 601,
            RefundLootId = 602,
        };
        return await client.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(sku.Platform, sku.Sku)).PutAsync(sku);
    }

    public Task<EntitlementEventRecord> GrantAsync(PlatformUserLink user, CatalogSku sku, long quantity = 1) =>
        SubmitAsync(EntitlementActionType.Grant, user, sku, quantity, Unique("tx"));

    public Task<EntitlementEventRecord> RefundAsync(PlatformUserLink user, CatalogSku sku, EntitlementEventRecord grant) =>
        SubmitAsync(EntitlementActionType.Refund, user, sku, grant.Quantity, grant.PlatformTransactionId);

    /// <summary>A refund of a transaction that has no grant: it takes nothing.</summary>
    public Task<EntitlementEventRecord> RefundWithNoGrantAsync(PlatformUserLink user, CatalogSku sku) =>
        SubmitAsync(EntitlementActionType.Refund, user, sku, 1, Unique("tx"));

    /// <summary>The player's notifications as the feed holds them, oldest first.</summary>
    public async Task<IReadOnlyList<EntitlementNotification>> NotificationsAsync(Guid playerUuid)
    {
        var page = await client.GetGrain<INotificationFeedGrain>(0).ReadAsync(new NotificationQuery(playerUuid, 0, 1000));
        return page.Notifications;
    }

    private async Task<EntitlementEventRecord> SubmitAsync(EntitlementActionType action, PlatformUserLink user, CatalogSku sku, long quantity, string transaction)
    {
        var result = await client.GetGrain<IEntitlementEventsGrain>(0).SubmitAsync(new SubmitEntitlementEvent
        {
            ActionType = action,
            Platform = user.Platform,
            PlatformUserId = user.PlatformUserId,
            Sku = sku.Sku,
            Quantity = quantity,
            PlatformTransactionId = transaction,
        });
        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        return result.Event!;
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
