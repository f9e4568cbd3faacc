using Entitlements.Contracts;
using Entitlements.Ledger;
using Entitlements.Storage;
using Entitlements.Tests.Storage;
using Microsoft.Extensions.Options;

namespace Entitlements.Tests.Ledger;

public sealed class LedgerFoldTests
{
    private static readonly Guid Player = Guid.Parse("6f1c2a7e-0d4b-4c55-9a43-2f1b8f3e9d10");
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_FirstGrant_CreatesHoldingFromEffect()
    {
        var state = LedgerFold.Apply(LedgerState.Empty, Event(1, Effect(units: 30), At));

        Assert.Equal(1, state.Version);
        var holding = Assert.Single(state.Items.Values);
        var expected = new ItemHolding
        {
            EntitlementId = "evt-1",
            ItemId = "gems",
            Name = "Gems",
            ItemClass = "currency",
            Clazz = EntitlementClazz.Entitlement,
            Type = EntitlementType.Consumable,
            Sku = "gems-pack",
            Balance = 30,
            EverGranted = true,
            LastChange = LedgerChange.Granted,
            GrantedAt = At,
            CreatedAt = At,
            UpdatedAt = At,
        };
        Assert.Equal(expected, holding);
    }

    [Fact]
    public void Apply_LaterGrant_KeepsEntitlementIdAndTakesNewName()
    {
        var later = At.AddMinutes(5);
        var state = LedgerFold.ApplyAll(LedgerState.Empty,
        [
            Event(1, Effect(units: 30), At),
            Event(2, Effect(units: 5) with { ItemName = "Shiny Gems", ItemClass = "premium" }, later),
        ]);

        var holding = state.Items["gems"];
        Assert.Equal("evt-1", holding.EntitlementId);
        Assert.Equal(35, holding.Balance);
        Assert.Equal("Shiny Gems", holding.Name);
        Assert.Equal("premium", holding.ItemClass);
        Assert.Equal(At, holding.CreatedAt);
        Assert.Equal(later, holding.GrantedAt);
        Assert.Equal(later, holding.UpdatedAt);
    }

    [Fact]
    public void Apply_Revocation_KeepsNameAndGrantTime()
    {
        var later = At.AddMinutes(5);
        var state = LedgerFold.ApplyAll(LedgerState.Empty,
        [
            Event(1, Effect(units: 30), At),
            Event(2, Effect(units: -30, change: LedgerChange.Revoked) with { ItemName = "Other" }, later),
        ]);

        var holding = state.Items["gems"];
        Assert.Equal(0, holding.Balance);
        Assert.Equal("Gems", holding.Name);
        Assert.Equal(At, holding.GrantedAt);
        Assert.Equal(later, holding.UpdatedAt);
        Assert.Equal(LedgerChange.Revoked, holding.LastChange);
        Assert.True(holding.EverGranted);
    }

    [Fact]
    public void Apply_EventWithoutEffect_AdvancesVersionOnly()
    {
        var granted = LedgerFold.Apply(LedgerState.Empty, Event(1, Effect(units: 30), At));

        var state = LedgerFold.Apply(granted, Event(2, effect: null, At.AddMinutes(1)));

        Assert.Equal(2, state.Version);
        Assert.Same(granted.Items, state.Items);
    }

    [Fact]
    public void Apply_VersionGap_Throws()
    {
        var state = LedgerFold.Apply(LedgerState.Empty, Event(1, Effect(units: 30), At));

        var exception = Assert.Throws<InvalidOperationException>(() => LedgerFold.Apply(state, Event(3, Effect(units: 1), At)));

        Assert.Equal("Ledger event version 3 does not follow state version 1.", exception.Message);
    }

    [Fact]
    public void Apply_SameVersionTwice_Throws()
    {
        var state = LedgerFold.Apply(LedgerState.Empty, Event(1, Effect(units: 30), At));

        Assert.Throws<InvalidOperationException>(() => LedgerFold.Apply(state, Event(1, Effect(units: 30), At)));
    }

    [Fact]
    public void Apply_EventWithNoPlayerVersion_Throws()
    {
        var unassigned = Event(1, effect: null, At) with { PlayerUuid = null, Version = null };

        var exception = Assert.Throws<ArgumentException>(() => LedgerFold.Apply(LedgerState.Empty, unassigned));

        Assert.Equal("ledgerEvent", exception.ParamName);
    }

    [Fact]
    public void ToEntitlement_ConsumableUsedUp_IsConsumed()
    {
        var state = LedgerFold.ApplyAll(LedgerState.Empty,
        [
            Event(1, Effect(units: 3), At),
            Event(2, Effect(units: -3, change: LedgerChange.Consumed), At.AddMinutes(1)),
        ]);

        var entitlement = LedgerFold.ToEntitlement(Player, state.Items["gems"]);

        var expected = new PlayerEntitlement
        {
            EntitlementId = "evt-1",
            PlayerUuid = Player,
            ItemId = "gems",
            Name = "Gems",
            Sku = "gems-pack",
            Type = EntitlementType.Consumable,
            Clazz = EntitlementClazz.Entitlement,
            Status = EntitlementStatus.Consumed,
            UseCount = 0,
            GrantedAt = At,
            CreatedAt = At,
            UpdatedAt = At.AddMinutes(1),
            ItemClass = "currency",
        };
        Assert.Equal(expected, entitlement);
    }

    [Fact]
    public void ToEntitlement_DurableBackedByTwoGrants_ShowsUseCountOne()
    {
        var durable = Effect(units: 1) with { ItemId = "pass", Type = EntitlementType.Durable };
        var state = LedgerFold.ApplyAll(LedgerState.Empty, [Event(1, durable, At), Event(2, durable, At)]);

        var entitlement = LedgerFold.ToEntitlement(Player, state.Items["pass"]);

        Assert.Equal(2, state.Items["pass"].Balance);
        Assert.Equal(1, entitlement.UseCount);
        Assert.Equal(EntitlementStatus.Active, entitlement.Status);
    }

    [Fact]
    public async Task Snapshot_RoundTripThroughSqliteStore_EqualsFoldedState()
    {
        var ledger = new LedgerScenario();
        var consumable = TestCatalog.Consumable(RevocationPolicy.AllowNegative, unitsPerQuantity: 10);
        ledger.Submit(EntitlementActionType.Grant, "tx-1", consumable, quantity: 3);
        ledger.Consume("gems", 25);
        ledger.Submit(EntitlementActionType.Refund, "tx-1", consumable, quantity: 3);
        ledger.Submit(EntitlementActionType.Grant, "tx-2", TestCatalog.Durable());
        ledger.Submit(EntitlementActionType.Grant, "tx-3", TestCatalog.DurableSingleUse());
        ledger.Submit(EntitlementActionType.Chargeback, "tx-3", TestCatalog.DurableSingleUse());
        var folded = ledger.State;
        using var directory = new TempDirectory();
        using (var writer = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = directory.Path })))
        {
            await writer.InitializeAsync();
            await writer.WriteSnapshotAsync(new LedgerSnapshot(ledger.Player.PlayerUuid, folded));
        }

        using var reader = new SqliteLedgerStore(Options.Create(new StorageOptions { DataDirectory = directory.Path }));
        var snapshot = await reader.ReadSnapshotAsync(ledger.Player.PlayerUuid);

        Assert.NotNull(snapshot);
        Assert.Equal(ledger.Player.PlayerUuid, snapshot.PlayerUuid);
        Assert.Equal(6, snapshot.State.Version);
        Assert.Equal(folded.Version, snapshot.State.Version);
        Assert.Equal(folded.Items.Keys, snapshot.State.Items.Keys);
        Assert.Equal(folded.Items.Values, snapshot.State.Items.Values);
        Assert.Equal(-25, snapshot.State.Items["gems"].Balance);
        Assert.Same(StringComparer.Ordinal, snapshot.State.Items.KeyComparer);
    }

    private static LedgerEvent Event(long version, LedgerEffect? effect, DateTimeOffset created) => new()
    {
        EventId = $"evt-{version}",
        Kind = LedgerEventKind.EntitlementEvent,
        PlayerUuid = Player,
        Version = version,
        Created = created,
        Effect = effect,
    };

    private static LedgerEffect Effect(long units, LedgerChange change = LedgerChange.Granted) => new()
    {
        ItemId = "gems",
        ItemName = "Gems",
        ItemClass = "currency",
        Clazz = EntitlementClazz.Entitlement,
        Type = EntitlementType.Consumable,
        Sku = "gems-pack",
        Units = units,
        Change = change,
    };
}
