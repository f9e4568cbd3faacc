using System.Text.Encodings.Web;
using System.Text.Json;

namespace Entitlements.Notifications;

/// <summary>
/// The JSON of the messages: the peers' field names, nulls written (except the fields of
/// <see cref="EntitlementInfo"/> that are left out when they have no value), no indentation.
/// </summary>
public static class NotificationJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>The message of a notification: <c>{"type": "entitlementUpdated", ...}</c> or the <c>revocationCompleted</c> event.</summary>
    public static string Serialize(EntitlementNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return notification.EntitlementUpdated is { } updated
            ? JsonSerializer.Serialize(updated, Options)
            : JsonSerializer.Serialize(notification.RevocationCompleted!, Options);
    }

    public static string Serialize(EntitlementUpdated message) => JsonSerializer.Serialize(message, Options);

    public static string Serialize(RevocationCompleted message) => JsonSerializer.Serialize(message, Options);

    public static EntitlementUpdated DeserializeEntitlementUpdated(string json) =>
        JsonSerializer.Deserialize<EntitlementUpdated>(json, Options) ?? throw new JsonException("Not an entitlementUpdated message.");

    public static RevocationCompleted DeserializeRevocationCompleted(string json) =>
        JsonSerializer.Deserialize<RevocationCompleted>(json, Options) ?? throw new JsonException("Not a revocationCompleted event.");
}
