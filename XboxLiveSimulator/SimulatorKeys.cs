using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Entitlements.XboxLiveSimulator;

/// <summary>
/// The keys of the simulated token service, read from <see cref="SimulatorOptions.KeysDirectory"/> and
/// created there (RSA 2048) when missing. The private key files are readable by their owner only.
/// </summary>
public sealed class SimulatorKeys : IDisposable
{
    public const string RelyingPartyKeyFile = "relying-party.key.pem";
    public const string SigningKeyFile = "xsts-signing.key.pem";
    public const string SigningJwksFile = "xsts-signing.jwks.json";

    public SimulatorKeys(IOptions<SimulatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory = Path.GetFullPath(options.Value.KeysDirectory);
        System.IO.Directory.CreateDirectory(Directory);
        RelyingParty = LoadOrCreate(Path.Combine(Directory, RelyingPartyKeyFile));
        Signing = LoadOrCreate(Path.Combine(Directory, SigningKeyFile));
        SigningKeyId = Base64Url.Encode(SHA256.HashData(Signing.ExportSubjectPublicKeyInfo()).AsSpan(0, 12));
        var jwks = Path.Combine(Directory, SigningJwksFile);
        var parameters = Signing.ExportParameters(false);
        var document = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = SigningKeyId,
                ["n"] = Base64Url.Encode(parameters.Modulus),
                ["e"] = Base64Url.Encode(parameters.Exponent),
            }),
        };
        File.WriteAllText(jwks, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public string Directory { get; }

    /// <summary>The relying party's key: tokens are encrypted to its public half.</summary>
    public RSA RelyingParty { get; }

    /// <summary>The token service's signing key.</summary>
    public RSA Signing { get; }
    public string SigningKeyId { get; }

    public void Dispose()
    {
        RelyingParty.Dispose();
        Signing.Dispose();
    }

    private static RSA LoadOrCreate(string path)
    {
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
            return rsa;
        }

        rsa.KeySize = 2048;
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            // Another process created it first: use that one.
            File.Delete(temporary);
            rsa.ImportFromPem(File.ReadAllText(path));
        }

        return rsa;
    }
}
