namespace Entitlements.XboxLiveSimulator;

/// <summary>
/// Admin: what the issued XboxToken should look like. Everything is optional; the defaults make a valid
/// token. The other fields make the broken tokens the gateway must refuse.
/// </summary>
public sealed record TokenRequest
{
    /// <summary>Seconds until <c>exp</c>; negative for an expired token.</summary>
    public int? LifetimeSeconds { get; init; }

    /// <summary>Seconds until <c>nbf</c>; positive for a token not valid yet.</summary>
    public int? NotBeforeSeconds { get; init; }
    public string? Audience { get; init; }
    public string? Sandbox { get; init; }

    /// <summary>The user hash put in <c>x=</c>, when it should differ from the token's <c>uhs</c>.</summary>
    public string? HeaderUserHash { get; init; }

    /// <summary>Sign with a throwaway key the gateway does not know.</summary>
    public bool SignWithUnknownKey { get; init; }

    /// <summary>Encrypt to a throwaway key instead of the relying party's.</summary>
    public bool EncryptToUnknownKey { get; init; }

    /// <summary>The <c>gtg</c> claim, when it should differ from the user's gamertag.</summary>
    public string? Gamertag { get; init; }
}
