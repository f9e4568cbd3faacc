using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Notifications;

/// <summary>A gateway that keeps at most <see cref="MaxConnectionsPerPlayer"/> push connections open per player.</summary>
public sealed class PushConnectionLimitFixture : GatewayFixture
{
    public const int MaxConnectionsPerPlayer = 2;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Notifications:Push:MaxConnectionsPerPlayer"] = "2";
    }
}
