using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.PlayFab;
using Microsoft.Extensions.Options;

namespace Entitlements.Gateway.Xbox;

/// <summary>
/// Checks the XboxToken a title sends: <c>XBL3.0 x=&lt;userhash&gt;;&lt;XSTS token&gt;</c>, the token a compact
/// JWE (RSA-OAEP or RSA-OAEP-256, A256GCM) that the relying party's key opens, holding a JWS (RS256 or
/// ES256) signed by a key of the configured set. Then <c>aud</c>, <c>iss</c>, <c>nbf</c>, <c>exp</c> (not past, nor
/// further ahead than <see cref="AuthOptions.MaxTokenLifetime"/>),
/// the sandbox and the user hash. Keys are read on first use, and read again when either key file has
/// changed (looked at no more than every <see cref="KeyCheckInterval"/>): Microsoft rotates its XSTS signing
/// keys, and a title may rotate its relying-party key, without a restart of every gateway. A file that cannot
/// be read then leaves the keys in hand. No token reaches a log.
/// </summary>
public sealed partial class XstsTokenValidator(IOptions<XboxTokenOptions> options, IOptions<AuthOptions> auth, TimeProvider time, ILogger<XstsTokenValidator> logger)
{
    private const string Prefix = "XBL3.0 x=";
    private const int MaxLength = 32 * 1024;
    private readonly Lock _lock = new();
    private (RSA RelyingParty, IReadOnlyList<SigningKey> Signing)? _keys;
    private (DateTime RelyingParty, DateTime Signing) _keysWritten;
    private DateTimeOffset _keysChecked;

    /// <summary>How often, at most, the key files are looked at for a change.</summary>
    public static TimeSpan KeyCheckInterval { get; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => options.Value.IsConfigured;

    public XstsValidation Validate(string xboxToken)
    {
        ArgumentNullException.ThrowIfNull(xboxToken);
        var settings = options.Value;
        if (!settings.IsConfigured || Keys() is not { } keys)
        {
            return XstsValidation.Refuse(PlayFabError.ProductDisabledForTitle, "Xbox Live is not enabled for this title.");
        }

        var invalid = XstsValidation.Refuse(PlayFabError.InvalidXboxLiveToken, "The Xbox Live token is not valid.");
        if (xboxToken.Length > MaxLength || !xboxToken.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return invalid;
        }

        var separator = xboxToken.IndexOf(';', StringComparison.Ordinal);
        if (separator <= Prefix.Length)
        {
            return invalid;
        }

        var userHash = xboxToken[Prefix.Length..separator];
        if (Open(xboxToken[(separator + 1)..], keys.RelyingParty) is not { } jws || Verify(jws, keys.Signing) is not { } claims)
        {
            return invalid;
        }

        using (claims)
        {
            return Check(claims.RootElement, userHash, settings);
        }
    }

    private XstsValidation Check(JsonElement claims, string userHash, XboxTokenOptions settings)
    {
        var invalid = XstsValidation.Refuse(PlayFabError.InvalidXboxLiveToken, "The Xbox Live token is not valid.");
        if (claims.ValueKind != JsonValueKind.Object
            || !Audiences(claims).Contains(settings.Audience, StringComparer.Ordinal)
            || (settings.Issuer is { Length: > 0 } issuer && Text(claims, "iss") != issuer)
            || Seconds(claims, "exp") is not { } exp)
        {
            return invalid;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = Math.Max(0, settings.ClockSkewSeconds);
        if (Seconds(claims, "nbf") is { } nbf && now + skew < nbf)
        {
            return invalid;
        }

        if (now - skew >= exp)
        {
            return XstsValidation.Refuse(PlayFabError.ExpiredXboxLiveToken, "The Xbox Live token has expired.");
        }

        // Auth:MaxTokenLifetime, as for the bearer tokens of the other surfaces: a token that claims to live
        // longer is not one Xbox Live issues, and could not be revoked before it expires.
        if (exp - skew - now > auth.Value.MaxTokenLifetime.TotalSeconds)
        {
            return XstsValidation.Refuse(PlayFabError.InvalidXboxLiveToken, "The Xbox Live token expires further ahead than this title accepts.");
        }

        if (!claims.TryGetProperty("xui", out var users) || users.ValueKind != JsonValueKind.Array || users.GetArrayLength() == 0)
        {
            return invalid;
        }

        // An XUID or gamertag with a NUL, or longer than a platform user id or display name may be, is no Xbox
        // user's, and the platform user grain would refuse to link it; an XUID longer than a session ticket holds
        // would be linked and then get no ticket.
        var user = users[0];
        if (user.ValueKind != JsonValueKind.Object || Text(user, "uhs") != userHash || Text(user, "xid") is not { Length: > 0 } xuid
            || xuid.Contains('\0', StringComparison.Ordinal) || StoredText.Length(xuid) > PlatformUserLink.MaxPlatformUserIdLength
            || Encoding.UTF8.GetByteCount(xuid) > SessionTicketClaims.MaxXuidBytes
            || Text(user, "gtg") is { } gamertag && (gamertag.Contains('\0', StringComparison.Ordinal) || StoredText.Length(gamertag) > PlatformUserLink.MaxDisplayNameLength))
        {
            return invalid;
        }

        var sandbox = Text(claims, "sbx");
        if (settings.AllowedSandboxes.Count > 0 && (sandbox is null || !settings.AllowedSandboxes.Contains(sandbox, StringComparer.OrdinalIgnoreCase)))
        {
            return XstsValidation.Refuse(PlayFabError.ProductDisabledForTitle, "The Xbox Live sandbox is not enabled for this title.");
        }

        return new XstsValidation(new XboxUser(xuid, userHash, Text(user, "gtg"), sandbox), null, null);
    }

    /// <summary>The nested JWS of a compact JWE, or null when it does not open.</summary>
    private static string? Open(string jwe, RSA relyingParty)
    {
        var parts = jwe.Split('.');
        if (parts.Length != 5 || !Base64Url.TryDecode(parts[0], out var headerBytes))
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var padding = Text(header.RootElement, "alg") switch
            {
                "RSA-OAEP" => RSAEncryptionPadding.OaepSHA1,
                "RSA-OAEP-256" => RSAEncryptionPadding.OaepSHA256,
                _ => null,
            };
            if (padding is null || Text(header.RootElement, "enc") != "A256GCM"
                || !Base64Url.TryDecode(parts[1], out var encryptedKey) || !Base64Url.TryDecode(parts[2], out var iv)
                || !Base64Url.TryDecode(parts[3], out var ciphertext) || !Base64Url.TryDecode(parts[4], out var tag)
                || iv.Length != 12 || tag.Length != 16)
            {
                return null;
            }

            var key = relyingParty.Decrypt(encryptedKey, padding);
            if (key.Length != 32)
            {
                return null;
            }

            var plaintext = new byte[ciphertext.Length];
            using (var aes = new AesGcm(key, 16))
            {
                aes.Decrypt(iv, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(parts[0]));
            }

            return Encoding.ASCII.GetString(plaintext);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The claims of a JWS signed by one of <paramref name="signing"/>, or null.</summary>
    private static JsonDocument? Verify(string jws, IReadOnlyList<SigningKey> signing)
    {
        var parts = jws.Split('.');
        if (parts.Length != 3 || !Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[1], out var payload)
            || !Base64Url.TryDecode(parts[2], out var signature))
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var algorithm = Text(header.RootElement, "alg");
            var keyId = Text(header.RootElement, "kid");
            var key = signing.FirstOrDefault(k => k.KeyId == keyId);
            if (algorithm is not ("RS256" or "ES256") || key is null || !key.Verify(algorithm, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature))
            {
                return null;
            }

            return JsonDocument.Parse(payload);
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a header string that is not UTF-8 (the parser accepts it, reading it throws).
            return null;
        }
    }

    private (RSA RelyingParty, IReadOnlyList<SigningKey> Signing)? Keys()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_keys is not null && now - _keysChecked < KeyCheckInterval)
            {
                return _keys;
            }

            _keysChecked = now;
            var settings = options.Value;
            try
            {
                var written = (File.GetLastWriteTimeUtc(settings.RelyingPartyKeyFile!), File.GetLastWriteTimeUtc(settings.SigningKeysFile!));
                if (_keys is not null && written == _keysWritten)
                {
                    return _keys;
                }

                var rsa = RSA.Create();
                rsa.ImportFromPem(File.ReadAllText(settings.RelyingPartyKeyFile!));
                var signing = JsonWebKeys.Parse(File.ReadAllText(settings.SigningKeysFile!));
                JsonWebKeys.LogSkipped(logger, $"{XboxTokenOptions.SectionName}:SigningKeysFile", signing.Skipped);
                if (_keys is not null)
                {
                    LogKeysReloaded(logger, signing.Keys.Count);
                }

                // The keys replaced are not disposed: a validation on another thread may still hold them.
                (_keys, _keysWritten) = ((rsa, signing.Keys), written);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException or FormatException or JsonException)
            {
                // Not kept: the next look tries again (the files may appear, or be halfway through a rewrite).
                LogKeysUnreadable(logger, exception, _keys is not null);
            }

            return _keys;
        }
    }

    private static IEnumerable<string> Audiences(JsonElement claims) =>
        !claims.TryGetProperty("aud", out var aud) ? []
        : aud.ValueKind == JsonValueKind.String ? [aud.GetString()!]
        : aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)
        : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Seconds(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) ? seconds : null;
}
