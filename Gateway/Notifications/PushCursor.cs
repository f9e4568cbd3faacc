using Entitlements.Notifications;

namespace Entitlements.Gateway.Notifications;

/// <summary>The last notification a connection sent: its position (the seam's filter) and its cursor (the resume point).</summary>
internal sealed class PushCursor(long position, string? cursor)
{
    public long Position { get; private set; } = position;

    public string? Cursor { get; private set; } = cursor;

    public void Sent(EntitlementNotification notification)
    {
        Position = notification.Position;
        Cursor = notification.Cursor;
    }
}
