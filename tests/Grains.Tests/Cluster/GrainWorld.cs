using Entitlements.Contracts;

namespace Entitlements.Tests.Cluster;

/// <summary>Players, catalog entries and store events made through the grains, each with fresh keys.</summary>
internal sealed class GrainWorld(IGrainFactory grains)
{
    public const long GrantLootId = 501;
    public const long RefundLootId = 502;
    public const long ChargebackLootId = 503;
    public const long ChargebackReversalLootId = 504;

    public IEntitlementEventsGrain Events => grains.GetGrain<IEntitlementEventsGrain>(0);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public async Task<PlatformUserLink> NewPlayerAsync()
    {
        var result = await grains.GetGrain<IPlatformUserGrain>(IPlatformUserGrain.Key(Platform.Steam, Unique("user"))).LinkAsync("Player", null);
        Assert.True(result.Created);
        return result.Link;
    }

    public async Task<CatalogSku> PutSkuAsync(
        EntitlementType type, long unitsPerQuantity = 1, RevocationPolicy policy = RevocationPolicy.RevokeOrReport, string? sku = null)
    {
        var name = sku ?? Unique("sku");
        var entry = new CatalogSku
        {
            Platform = Platform.Steam,
            Sku = name,
            EntitlementType = type,
            ItemId = Unique("item"),
            ItemName = "Gems",
            ItemClass = "currency",
            UnitsPerQuantity = unitsPerQuantity,
            RevocationPolicy = policy,
            LootId = GrantLootId,
            RefundLootId = RefundLootId,
            ChargebackLootId = ChargebackLootId,
            ChargebackReversalLootId = ChargebackReversalLootId,
        };
        var stored = await grains.GetGrain<ICatalogSkuGrain>(ICatalogSkuGrain.Key(entry.Platform, entry.Sku)).PutAsync(entry);
        Assert.Equal(1, stored.Revision);
        return stored;
    }

    /// <summary>Submit a store event for the user's platform account; asserts it was recorded.</summary>
    public async Task<EntitlementEventRecord> SubmitAsync(
        EntitlementActionType action, PlatformUserLink user, CatalogSku sku, string transactionId, long quantity = 1)
    {
        var result = await Events.SubmitAsync(new SubmitEntitlementEvent
        {
            ActionType = action,
            Platform = user.Platform,
            PlatformUserId = user.PlatformUserId,
            Sku = sku.Sku,
            Quantity = quantity,
            PlatformTransactionId = transactionId,
        });
        Assert.Equal(EntitlementEventOutcome.Recorded, result.Outcome);
        return result.Event!;
    }
}
