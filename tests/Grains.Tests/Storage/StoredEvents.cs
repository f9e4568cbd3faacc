using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Notifications;

namespace Entitlements.Tests.Storage;

/// <summary>Ledger rows for store tests, shaped like the ones the decider produces.</summary>
internal static class StoredEvents
{
    public static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static LedgerEvent Entitlement(
        Guid? player,
        long? version,
        string transactionId,
        EntitlementActionType action = EntitlementActionType.Grant,
        Platform platform = Platform.Steam,
        string? eventId = null)
    {
        var id = eventId ?? Guid.NewGuid().ToString("D");
        return new LedgerEvent
        {
            EventId = id,
            Kind = LedgerEventKind.EntitlementEvent,
            PlayerUuid = player,
            Version = version,
            Created = At,
            RequestFingerprint = "fingerprint-" + transactionId,
            Entitlement = new EntitlementEventRecord
            {
                EventId = id,
                ActionType = action,
                EntitlementType = EntitlementType.Consumable,
                Status = player is null ? EntitlementEventStatus.PlayerNotFound : EntitlementEventStatus.Success,
                PlayerUuid = player,
                PlayerId = player is null ? null : 7,
                Platform = platform,
                PlatformUserId = "user-1",
                Sku = "gems-pack",
                Quantity = 2,
                PlatformTransactionId = transactionId,
                PlatformDataJson = """{"store":"test"}""",
                OrderId = player is null ? null : id,
                LootId = 1001,
                Created = At,
                LastModified = At,
                Version = version,
            },
            Effect = player is null ? null : new LedgerEffect
            {
                ItemId = "gems",
                ItemName = "Gems",
                ItemClass = "currency",
                Clazz = EntitlementClazz.Entitlement,
                Type = EntitlementType.Consumable,
                Sku = "gems-pack",
                Units = 20,
                Policy = RevocationPolicy.AllowNegative,
                Change = LedgerChange.Granted,
            },
        };
    }

    /// <summary>A player's first grant, carrying the notification the player grain attaches to it.</summary>
    public static LedgerEvent NotifyingGrant(Guid player, string transactionId) =>
        NotificationFactory.Attach(Entitlement(player, 1, transactionId), LedgerState.Empty, new NotificationOptions());

    /// <summary>The refund of a player's grant, the player's next event, carrying both notifications the player grain attaches to it.</summary>
    public static LedgerEvent NotifyingRefund(LedgerEvent grant)
    {
        var record = grant.Entitlement!;
        var refund = Entitlement(grant.PlayerUuid, grant.Version + 1, record.PlatformTransactionId, EntitlementActionType.Refund);
        refund = refund with
        {
            Entitlement = refund.Entitlement! with { OrderId = grant.EventId },
            Effect = refund.Effect! with { Units = -grant.Effect!.Units, Change = LedgerChange.Revoked },
        };
        return NotificationFactory.Attach(refund, LedgerFold.Apply(LedgerState.Empty, grant), new NotificationOptions());
    }

    /// <summary>A player's first event: a refund with no grant, carrying only the <c>revocationCompleted</c> the player grain attaches to it.</summary>
    public static LedgerEvent NotifyingRefundWithNoGrant(Guid player, string transactionId)
    {
        var refund = Entitlement(player, 1, transactionId, EntitlementActionType.Refund);
        refund = refund with { Entitlement = refund.Entitlement! with { OrderId = null }, Effect = null };
        return NotificationFactory.Attach(refund, LedgerState.Empty, new NotificationOptions());
    }

    public static LedgerEvent Consumed(Guid player, long version, string operationId) => new()
    {
        EventId = Guid.NewGuid().ToString("D"),
        Kind = LedgerEventKind.EntitlementConsumed,
        PlayerUuid = player,
        Version = version,
        Created = At,
        OperationId = operationId,
        RequestFingerprint = "fingerprint-" + operationId,
        Effect = new LedgerEffect
        {
            ItemId = "gems",
            ItemName = "Gems",
            ItemClass = "currency",
            Clazz = EntitlementClazz.Entitlement,
            Type = EntitlementType.Consumable,
            Sku = "gems-pack",
            Units = -3,
            Shortfall = 0,
            Change = LedgerChange.Consumed,
        },
    };
}
