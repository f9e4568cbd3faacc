namespace Entitlements.Tests.PlayFab;

/// <summary>The simulator and a gateway that accepts the RETAIL sandbox only and gives each Xbox call 300 ms.</summary>
public sealed class XboxErrorFixture : XboxGatewayFixture
{
    protected override void ConfigureXbox(IDictionary<string, string?> settings)
    {
        settings["Xbox:AllowedSandboxes:0"] = "RETAIL";
        settings["Xbox:TimeoutMilliseconds"] = "300";
    }
}
