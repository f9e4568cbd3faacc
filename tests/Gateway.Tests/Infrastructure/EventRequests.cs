using System.Text.Json.Nodes;

namespace Entitlements.Tests.Infrastructure;

/// <summary>Bodies of <c>POST /inventory/v1/entitlement-event</c> (RallyHere's <c>EntitlementEventRequest</c>).</summary>
internal static class EventRequests
{
    public static JsonObject Create(
        string actionType,
        string platformUserId,
        string sku,
        string transactionId,
        long? quantity = null,
        JsonNode? platformData = null,
        string? status = null,
        Guid? playerUuid = null,
        string platform = "Steam")
    {
        var body = new JsonObject
        {
            ["action_type"] = actionType,
            ["platform"] = platform,
            ["platform_user_id"] = platformUserId,
            ["sku"] = sku,
            ["platform_transaction_id"] = transactionId,
        };
        if (quantity is { } q)
        {
            body["quantity"] = q;
        }

        if (platformData is not null)
        {
            body["platform_data"] = platformData;
        }

        if (status is not null)
        {
            body["status"] = status;
        }

        if (playerUuid is { } player)
        {
            body["player_uuid"] = player.ToString();
        }

        return body;
    }

    public static JsonObject Grant(string platformUserId, string sku, string transactionId, long? quantity = null) =>
        Create("grant", platformUserId, sku, transactionId, quantity);
}
