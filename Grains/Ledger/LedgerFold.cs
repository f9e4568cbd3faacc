using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>The pure fold: state = snapshot + the events after it, applied in version order.</summary>
public static class LedgerFold
{
    public static LedgerState Apply(LedgerState state, LedgerEvent ledgerEvent)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ledgerEvent);
        if (ledgerEvent.Version is not { } version)
        {
            throw new ArgumentException("Only a player's events can be folded.", nameof(ledgerEvent));
        }

        if (version != state.Version + 1)
        {
            throw new InvalidOperationException($"Ledger event version {version} does not follow state version {state.Version}.");
        }

        var items = state.Items;
        if (ledgerEvent.Effect is { } effect)
        {
            items = items.SetItem(effect.ItemId, ApplyEffect(items.GetValueOrDefault(effect.ItemId), effect, ledgerEvent));
        }

        return state with { Version = version, Items = items };
    }

    public static LedgerState ApplyAll(LedgerState state, IEnumerable<LedgerEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var ledgerEvent in events)
        {
            state = Apply(state, ledgerEvent);
        }

        return state;
    }

    private static ItemHolding ApplyEffect(ItemHolding? holding, LedgerEffect effect, LedgerEvent ledgerEvent)
    {
        var at = ledgerEvent.Created;
        var granted = effect.Change == LedgerChange.Granted && effect.Units > 0;
        if (holding is null)
        {
            return new ItemHolding
            {
                EntitlementId = ledgerEvent.EventId,
                ItemId = effect.ItemId,
                Name = effect.ItemName,
                ItemClass = effect.ItemClass,
                Clazz = effect.Clazz,
                Type = effect.Type,
                Sku = effect.Sku,
                Balance = effect.Units,
                EverGranted = granted,
                LastChange = effect.Change,
                GrantedAt = at,
                CreatedAt = at,
                UpdatedAt = at,
            };
        }

        return holding with
        {
            Name = granted ? effect.ItemName : holding.Name,
            ItemClass = granted ? effect.ItemClass : holding.ItemClass,
            Balance = holding.Balance + effect.Units,
            EverGranted = holding.EverGranted || granted,
            LastChange = effect.Change,
            GrantedAt = granted ? at : holding.GrantedAt,
            UpdatedAt = at,
        };
    }

    /// <summary>The holding as AccelByte's entitlement view shows it.</summary>
    public static PlayerEntitlement ToEntitlement(Guid playerUuid, ItemHolding holding)
    {
        ArgumentNullException.ThrowIfNull(holding);
        var consumable = holding.Type == EntitlementType.Consumable;
        var status = holding.Balance > 0
            ? EntitlementStatus.Active
            : consumable && holding.LastChange == LedgerChange.Consumed ? EntitlementStatus.Consumed : EntitlementStatus.Revoked;
        return new PlayerEntitlement
        {
            EntitlementId = holding.EntitlementId,
            PlayerUuid = playerUuid,
            ItemId = holding.ItemId,
            Name = holding.Name,
            Sku = holding.Sku,
            Type = holding.Type,
            Clazz = holding.Clazz,
            Status = status,
            UseCount = consumable ? holding.Balance : holding.Balance > 0 ? 1 : 0,
            GrantedAt = holding.GrantedAt,
            CreatedAt = holding.CreatedAt,
            UpdatedAt = holding.UpdatedAt,
            ItemClass = holding.ItemClass,
        };
    }
}
