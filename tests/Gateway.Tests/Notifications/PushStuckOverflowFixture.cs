using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>A gateway with a push buffer of ten notifications and sends that time out after one second.</summary>
public sealed class PushStuckOverflowFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Notifications:Push:BufferSize"] = "10";
        settings["Notifications:Push:HeartbeatSeconds"] = "60";
        // Long enough for the buffer to overflow first on a busy machine; the session ends when it has passed.
        settings["Notifications:Push:SendTimeoutSeconds"] = "5";
    }
}
