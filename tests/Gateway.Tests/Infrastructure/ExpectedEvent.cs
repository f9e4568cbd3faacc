using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>
/// What an <c>EntitlementEvent</c> must say. The server's own values (event_id, created, last_modified)
/// are checked for shape and then taken from the actual event; everything else must be exactly as given.
/// </summary>
internal sealed record ExpectedEvent
{
    public required string ActionType { get; init; }
    public required string? EntitlementType { get; init; }
    public required string Status { get; init; }
    public Player? Player { get; init; }
    public required string PlatformUserId { get; init; }
    public required string Sku { get; init; }
    public long Quantity { get; init; } = 1;
    public required string TransactionId { get; init; }
    public JsonNode? PlatformData { get; init; }

    /// <summary>The expected order id; ignored when <see cref="OrderIsOwnEvent"/>.</summary>
    public string? OrderId { get; init; }

    /// <summary>A grant's order is itself: order_id equals its event_id.</summary>
    public bool OrderIsOwnEvent { get; init; }
    public required long? LootId { get; init; }
    public string Platform { get; init; } = "Steam";

    public static ExpectedEvent For(JsonObject request, Player? player) => new()
    {
        ActionType = request["action_type"]!.GetValue<string>(),
        EntitlementType = null,
        Status = "success",
        Player = player,
        PlatformUserId = request["platform_user_id"]!.GetValue<string>(),
        Sku = request["sku"]!.GetValue<string>(),
        Quantity = request["quantity"]?.GetValue<long>() ?? 1,
        TransactionId = request["platform_transaction_id"]!.GetValue<string>(),
        PlatformData = request["platform_data"]?.DeepClone(),
        Platform = request["platform"]!.GetValue<string>(),
        LootId = null,
    };

    public JsonObject ToJson(string eventId, string created, string lastModified) => new()
    {
        ["event_id"] = eventId,
        ["action_type"] = ActionType,
        ["entitlement_type"] = EntitlementType,
        ["status"] = Status,
        ["player_uuid"] = Player?.Uuid.ToString(),
        ["player_id"] = Player?.Id,
        ["platform"] = Platform,
        ["platform_user_id"] = PlatformUserId,
        ["sku"] = Sku,
        ["quantity"] = Quantity,
        ["platform_transaction_id"] = TransactionId,
        ["platform_data"] = PlatformData?.DeepClone(),
        ["order_id"] = OrderIsOwnEvent ? eventId : OrderId,
        ["loot_id"] = LootId,
        ["key_claim_uuid"] = null,
        ["created"] = created,
        ["last_modified"] = lastModified,
    };

    /// <summary>Assert that <paramref name="actual"/> is exactly this event, freshly written; returns its event_id.</summary>
    public string AssertMatches(JsonNode? actual)
    {
        Assert.NotNull(actual);
        var eventId = actual["event_id"]?.GetValue<string>();
        Assert.True(Guid.TryParseExact(eventId, "D", out _), $"event_id {eventId} is not a UUID");
        var created = actual["created"]?.GetValue<string>() ?? "";
        Assert.Matches(WireTime.RallyHere(), created);
        var lastModified = actual["last_modified"]?.GetValue<string>() ?? "";
        Assert.Equal(created, lastModified);
        JsonAssert.Equal(ToJson(eventId!, created, lastModified), actual);
        return eventId!;
    }

    public static string Created(JsonNode actual) => actual["created"]!.GetValue<string>();

    public static string Id(JsonNode actual) => actual["event_id"]!.GetValue<string>();
}
