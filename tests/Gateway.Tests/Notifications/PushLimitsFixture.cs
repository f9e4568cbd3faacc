using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>
/// A gateway with tight push limits: a heartbeat every second and room for only
/// <see cref="BufferSize"/> pending notifications per connection. The send timeout is long, so that a
/// client that stops reading is ended by the buffer, not by a stuck send.
/// </summary>
public sealed class PushLimitsFixture : GatewayFixture
{
    public const int BufferSize = 5;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Notifications:Push:BufferSize"] = "5";
        settings["Notifications:Push:HeartbeatSeconds"] = "1";
        settings["Notifications:Push:SendTimeoutSeconds"] = "120";
    }
}
