using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>
/// The bytes on the wire. WebSocket: one text frame per notification,
/// <c>{"cursor", "event_id", "player_uuid", "version", "name", "message"}</c> where <c>message</c> is the
/// message's JSON exactly as <see cref="NotificationJson.Serialize(EntitlementNotification)"/> writes it,
/// and <c>{"heartbeat": "&lt;UTC time&gt;"}</c>. SSE: <c>id</c> (the cursor), <c>event</c> (the message
/// name) and <c>data</c> (the message's JSON), a <c>: heartbeat</c> comment, and an <c>error</c> event.
/// </summary>
public static class PushFrames
{
    public static string Name(EntitlementNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return notification.Kind == NotificationKind.RevocationCompleted ? RevocationCompleted.EventName : EntitlementUpdated.TypeName;
    }

    public static string Time(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static byte[] WebSocketMessage(EntitlementNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = NotificationJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("cursor", notification.Cursor);
            writer.WriteString("event_id", notification.EventId);
            writer.WriteString("player_uuid", notification.PlayerUuid.ToString("D"));
            writer.WriteNumber("version", notification.Version);
            writer.WriteString("name", Name(notification));
            writer.WritePropertyName("message");
            writer.WriteRawValue(NotificationJson.Serialize(notification), skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] WebSocketHeartbeat(DateTimeOffset now) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["heartbeat"] = Time(now) });

    public static byte[] ServerSentEvent(EntitlementNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return Encoding.UTF8.GetBytes($"id: {notification.Cursor}\nevent: {Name(notification)}\ndata: {NotificationJson.Serialize(notification)}\n\n");
    }

    public static byte[] ServerSentHeartbeat { get; } = Encoding.UTF8.GetBytes(": heartbeat\n\n");

    /// <summary>An event with only an id: it sets the client's last event id and dispatches nothing.</summary>
    public static byte[] ServerSentId(string cursor) => Encoding.UTF8.GetBytes($"id: {cursor}\n\n");

    public static byte[] ServerSentError(string reason)
    {
        var data = JsonSerializer.Serialize(new Dictionary<string, string> { ["reason"] = reason }, NotificationJson.Options);
        return Encoding.UTF8.GetBytes($"event: error\ndata: {data}\n\n");
    }
}
