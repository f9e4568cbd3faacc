namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway with small PlayFab limits (3 logins at once per address, 2 consumes at once
/// per player, then one every 20 s: a test's calls stay within one refill on a slow machine too) that takes
/// the client address from <c>X-Forwarded-For</c>, so that each test calls from addresses of its own.
/// </summary>
public sealed class XboxRateLimitFixture : XboxGatewayFixture
{
    public const int LoginBurst = 3;
    public const int ConsumeBurst = 2;

    protected override void ConfigureXbox(IDictionary<string, string?> settings)
    {
        settings["ForwardedHeaders_Enabled"] = "true";
        settings["PlayFab:LoginsPerSecondPerAddress"] = "0.05";
        settings["PlayFab:LoginBurstPerAddress"] = LoginBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["PlayFab:ConsumesPerSecondPerPlayer"] = "0.05";
        settings["PlayFab:ConsumeBurstPerPlayer"] = ConsumeBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
