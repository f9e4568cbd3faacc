namespace Entitlements.Contracts;

/// <summary>The stores and identity providers a platform user belongs to (RallyHere's <c>Platform</c>).</summary>
[GenerateSerializer, Alias("Entitlements.Platform")]
public enum Platform
{
    Anon = 0,
    Basic = 1,
    XboxLive = 2,
    PSN = 3,
    NintendoNAID = 4,
    NintendoSwitch = 5,
    NintendoPPID = 6,
    Google = 7,
    GooglePlay = 8,
    Apple = 9,
    Epic = 10,
    Steam = 11,
    Amazon = 12,
    Twitch = 13,
    RallyHere = 14,
    LegacyName = 15,
}
