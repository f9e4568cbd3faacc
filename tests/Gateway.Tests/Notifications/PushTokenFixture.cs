using Entitlements.Tests.Auth;

namespace Entitlements.Tests.Notifications;

/// <summary>A JWKS-file gateway with no clock skew, so that a token of a few seconds expires when its <c>exp</c> says.</summary>
public sealed class PushTokenFixture : AuthGatewayFixture
{
    protected override int? ClockSkewSeconds => 0;
}
