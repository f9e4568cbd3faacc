using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Entitlements.Contracts;

namespace Entitlements.Ledger;

/// <summary>A stable hash of what a caller asked for, so that a retry can be told from a conflicting reuse of a key.</summary>
public static class RequestFingerprint
{
    public static string Of(SubmitEntitlementEvent command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Hash(
            "entitlement-event/1",
            command.ActionType.ToString(),
            // An explicit "success" asks for what no status asks for: apply the event.
            command.Status is null or EntitlementEventStatus.Success ? "-" : command.Status.ToString()!,
            command.PlayerUuid?.ToString("D") ?? "-",
            command.Platform.ToString(),
            command.PlatformUserId,
            command.Sku,
            command.Quantity.ToString(CultureInfo.InvariantCulture),
            command.PlatformTransactionId,
            command.PlatformDataJson ?? "-");
    }

    public static string Of(ConsumeEntitlement command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Hash("consume/1", command.ItemId, command.Quantity.ToString(CultureInfo.InvariantCulture));
    }

    private static string Hash(params string[] parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            // Length-prefixed, so that no two different part lists produce the same text.
            builder.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part).Append(';');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
