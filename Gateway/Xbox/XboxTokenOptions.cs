namespace Entitlements.Gateway.Xbox;

/// <summary>How the gateway checks XSTS tokens (configuration section <c>Xbox</c>, shared with the silo's collections settings).</summary>
public sealed class XboxTokenOptions
{
    public const string SectionName = "Xbox";

    /// <summary>PEM file with the relying party's RSA private key, which opens the encrypted token.</summary>
    public string? RelyingPartyKeyFile { get; set; }

    /// <summary>JWKS file with the public keys the token service signs with (RS256 or ES256, by <c>kid</c>).</summary>
    public string? SigningKeysFile { get; set; }

    /// <summary>The required <c>aud</c>: the relying party the token was issued for.</summary>
    public string Audience { get; set; } = "https://playfabapi.com/";

    /// <summary>The required <c>iss</c>, when set.</summary>
    public string? Issuer { get; set; }

    /// <summary>The sandboxes (<c>sbx</c>) this title accepts; empty accepts any. Others are ProductDisabledForTitle.</summary>
    public IList<string> AllowedSandboxes { get; } = [];

    /// <summary>Leeway for <c>exp</c> and <c>nbf</c>.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrEmpty(RelyingPartyKeyFile) && !string.IsNullOrEmpty(SigningKeysFile);
}
