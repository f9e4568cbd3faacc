namespace Entitlements.XboxLiveSimulator;

/// <summary>The simulator's settings (configuration section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>
    /// Where the keys live (created on first start): <c>relying-party.key.pem</c> (the relying party's RSA
    /// key: the simulator encrypts to it, the gateway decrypts with it), <c>xsts-signing.key.pem</c> (the
    /// simulator signs with it) and <c>xsts-signing.jwks.json</c> (its public half, for the gateway).
    /// </summary>
    public string KeysDirectory { get; set; } = Path.Combine("data", "xbox-simulator", "keys");

    /// <summary>Users and items loaded at start; relative paths are taken from the binaries' directory. Empty for none.</summary>
    public string? SeedFile { get; set; } = "xbox-seed.json";

    /// <summary>The relying party the issued XSTS tokens are for (<c>aud</c>).</summary>
    public string Audience { get; set; } = "https://playfabapi.com/";
    public string Issuer { get; set; } = "https://xsts.auth.xboxlive.com";
    public string Sandbox { get; set; } = "RETAIL";
    public int TokenLifetimeSeconds { get; set; } = 3600;
}
