using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Entitlements.Storage;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Auth;

/// <summary>
/// The embedded default's own token issuer: an ES256 signing key created on first start in the data
/// directory (<c>dev-signing-key.json</c>, readable by the owner only), its public key served at
/// <c>/.well-known/jwks.json</c>, and tokens minted by the <c>token</c> command. The first process to
/// create the file wins; every other process reads it. For development and
/// single-machine use; production points <c>Auth:JwksUrl</c> at the real issuer instead.
/// </summary>
public sealed class DevelopmentIssuer
{
    public const string IssuerName = "entitlements-dev";
    public const string KeyFileName = "dev-signing-key.json";

    private readonly ECDsa _key;

    public DevelopmentIssuer(IOptions<StorageOptions> storage, TimeProvider time)
        : this(storage, Options.Create(new AuthOptions()), time)
    {
    }

    public DevelopmentIssuer(IOptions<StorageOptions> storage, IOptions<AuthOptions> auth, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(auth);
        Time = time;
        (_key, KeyId) = LoadOrCreate(KeyPath(storage.Value, auth.Value));
    }

    /// <summary>
    /// <c>Auth:DevelopmentKeyFile</c> when set (several gateways of one cluster point it at one file so
    /// that each accepts the others' tokens), else <see cref="KeyFileName"/> in the data directory.
    /// </summary>
    public static string KeyPath(StorageOptions storage, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(auth);
        return string.IsNullOrWhiteSpace(auth.DevelopmentKeyFile)
            ? Path.Combine(Path.GetDirectoryName(storage.DatabasePath)!, KeyFileName)
            : Path.GetFullPath(auth.DevelopmentKeyFile);
    }

    public string KeyId { get; }

    private TimeProvider Time { get; }

    public SigningKey PublicKey => new(KeyId, null, ECDsa.Create(_key.ExportParameters(includePrivateParameters: false)));

    public object Jwks() => new Dictionary<string, object> { ["keys"] = new[] { JsonWebKeys.PublicJwk(_key, KeyId) } };

    /// <summary>A signed access token carrying <paramref name="permissions"/>, for <paramref name="player"/> when given.</summary>
    public string Mint(IReadOnlyList<string> permissions, Guid? player, TimeSpan lifetime)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = KeyId };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = IssuerName,
            ["sub"] = player?.ToString("D") ?? "developer",
            ["permissions"] = permissions,
            ["token_type"] = "access",
            ["ver"] = 1,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        var signingInput = $"{Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url.Encode(signature)}";
    }

    private static (ECDsa Key, string KeyId) LoadOrCreate(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (File.Exists(path))
            {
                if (TryLoad(path) is { } loaded)
                {
                    return loaded;
                }

                // Another process created it a moment ago and is writing it (one small write): read again.
                if (attempt >= 100)
                {
                    throw new InvalidDataException($"The development signing key file {path} does not hold a key.");
                }

                Thread.Sleep(20);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var kid = $"dev-{DateTimeOffset.UtcNow:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            var json = JsonSerializer.SerializeToUtf8Bytes(new StoredKey(kid, Convert.ToBase64String(created.ExportPkcs8PrivateKey())));

            // Created exclusively (O_EXCL): of processes starting together exactly one creates the file, and
            // every other one reads that key, so that all of them sign with it. (A move into place is not
            // exclusive everywhere: a later one could replace the file while the first kept its own key.)
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                stream.Write(json);
            }
            catch (IOException) when (File.Exists(path))
            {
                created.Dispose();
                continue;
            }

            return (created, kid);
        }
    }

    /// <summary>The key in the file, or null while it is empty or incomplete (its creator is still writing it).</summary>
    private static (ECDsa Key, string KeyId)? TryLoad(string path)
    {
        StoredKey? stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredKey>(File.ReadAllBytes(path));
        }
        catch (JsonException)
        {
            return null;
        }

        if (stored is null)
        {
            return null;
        }

        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(stored.Pkcs8), out _);
        return (key, stored.Kid);
    }

    private sealed record StoredKey(string Kid, string Pkcs8);
}
