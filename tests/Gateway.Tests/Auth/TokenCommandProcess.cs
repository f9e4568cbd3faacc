using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>The built gateway run as <c>dotnet Gateway.dll token ...</c>: exit code and what it printed.</summary>
internal static class TokenCommandProcess
{
    public static Task<BuiltProcess.Result> RunAsync(params string[] arguments) =>
        BuiltProcess.RunAsync(
            GatewayProcess.GatewayDll,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            ["token", .. arguments]);
}
