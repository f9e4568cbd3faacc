using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A gateway whose push sends time out after one second, with a buffer too large to overflow in a test: a
/// client that stops reading is ended by a send that cannot complete, not by the buffer.
/// </summary>
public sealed class PushSendTimeoutFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Notifications:Push:BufferSize"] = "100000";
        settings["Notifications:Push:HeartbeatSeconds"] = "60";
        settings["Notifications:Push:SendTimeoutSeconds"] = "1";
    }
}
