using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.RallyHere;

/// <summary>Validates RallyHere's <c>EntitlementEventRequest</c> and turns it into a command.</summary>
public static class EntitlementEventRequestReader
{
    /// <summary>The largest quantity accepted on one grant or consume (ours; RallyHere states none).</summary>
    public const long MaxQuantity = 1_000_000;

    /// <summary>
    /// The largest body taken (ours; 299,008 bytes): the largest valid request as Python's <c>json.dumps</c>
    /// writes it by default, every non-ASCII character escaped and a space after each <c>:</c> and <c>,</c>.
    /// <c>platform_data</c> takes at most three times its 64 KiB that way (an emoji's four bytes become two
    /// <c>\uXXXX</c> escapes, twelve), each character of <c>platform_user_id</c>, <c>sku</c> and
    /// <c>platform_transaction_id</c> at most twelve bytes, and 4 KiB is room for the other fields and the names.
    /// </summary>
    public const int MaxBodyBytes = (3 * SubmitEntitlementEvent.MaxPlatformDataBytes) + (12 * (SubmitEntitlementEvent.MaxPlatformUserIdLength + SubmitEntitlementEvent.MaxSkuLength + SubmitEntitlementEvent.MaxPlatformTransactionIdLength)) + 4096;

    public static SubmitEntitlementEvent? Read(JsonElement body, List<ValidationErrorDetail> errors)
    {
        var fields = new JsonFieldReader(body, ["body"], errors);
        var actionType = fields.Enum<EntitlementActionType>("action_type", required: true);
        var status = fields.Enum<EntitlementEventStatus>("status", required: false);
        var playerUuid = fields.PlayerUuid("player_uuid", required: false);
        var platform = fields.Enum<Platform>("platform", required: true);
        var platformUserId = fields.Text("platform_user_id", required: true, maxLength: SubmitEntitlementEvent.MaxPlatformUserIdLength, minLength: 1);
        var sku = fields.Text("sku", required: true, maxLength: SubmitEntitlementEvent.MaxSkuLength, minLength: 1);
        // A grant's quantity multiplies what it gives: 1..MaxQuantity. A refund's, chargeback's or reversal's is
        // recorded and not used, so any integer every answer can carry is taken (32 bits: see
        // SubmitEntitlementEvent.MinQuantity), zero and negative included: refusing it would lose the refund.
        var (minimum, maximum) = actionType is null or EntitlementActionType.Grant ? (1L, MaxQuantity) : (SubmitEntitlementEvent.MinQuantity, SubmitEntitlementEvent.MaxQuantity);
        var quantity = fields.WholeNumber("quantity", required: false, minimum, maximum, nullable: false);
        var transactionId = fields.Text("platform_transaction_id", required: true, maxLength: SubmitEntitlementEvent.MaxPlatformTransactionIdLength, minLength: 1);
        var platformData = fields.ObjectJson("platform_data", SubmitEntitlementEvent.MaxPlatformDataBytes);
        if (errors.Count > 0)
        {
            return null;
        }

        return new SubmitEntitlementEvent
        {
            ActionType = actionType!.Value,
            Status = status,
            PlayerUuid = playerUuid,
            Platform = platform!.Value,
            PlatformUserId = platformUserId!,
            Sku = sku!,
            Quantity = quantity ?? 1,
            PlatformTransactionId = transactionId!,
            PlatformDataJson = platformData,
        };
    }
}
