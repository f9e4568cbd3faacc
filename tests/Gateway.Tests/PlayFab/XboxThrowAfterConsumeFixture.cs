using Entitlements.Xbox;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The simulator and a gateway whose player grain fails right after every Xbox consume call answered, before
/// its grant (the off-by-default test fault <c>Xbox:TestFaultAfterConsume=Throw</c>): a failure that is not Xbox's.
/// </summary>
public sealed class XboxThrowAfterConsumeFixture : XboxGatewayFixture
{
    protected override string? EnvironmentName => XboxOptionsValidator.TestingEnvironment;

    protected override void ConfigureXbox(IDictionary<string, string?> settings) => settings["Xbox:TestFaultAfterConsume"] = "Throw";
}
