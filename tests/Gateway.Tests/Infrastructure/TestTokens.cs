using Entitlements.Gateway.Auth;

namespace Entitlements.Tests.Infrastructure;

/// <summary>Tokens from the gateway's development issuer.</summary>
public static class TestTokens
{
    /// <summary>Every permission the REST routes declare.</summary>
    public static string Operator(DevelopmentIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return issuer.Mint(["inv:*", "user:*"], player: null, TimeSpan.FromHours(2));
    }
}
