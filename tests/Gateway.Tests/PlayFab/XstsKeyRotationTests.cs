using System.Text.Json.Nodes;
using Entitlements.Gateway.Auth;
using Entitlements.Gateway.PlayFab;
using Entitlements.Gateway.Xbox;
using Entitlements.Tests.Infrastructure;
using Entitlements.XboxLiveSimulator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Entitlements.Tests.PlayFab;

/// <summary>
/// The gateway's XSTS keys follow their files: after the token service's and relying party's keys are
/// replaced on disk, tokens of the new keys are accepted within <see cref="XstsTokenValidator.KeyCheckInterval"/>
/// and those of the old ones refused, with no restart; a key file that cannot be read leaves the keys in hand.
/// Real key files and real tokens: the simulator's own key store and token issuer.
/// </summary>
public sealed class XstsKeyRotationTests : IDisposable
{
    private static readonly SimulatedUser User = new() { Xuid = "2535400000000001", UserHash = "1234567890", Gamertag = "Rotator" };

    private readonly string _root = Directory.CreateTempSubdirectory("xsts-rotation-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    [Fact]
    public void KeyFilesReplaced_NewTokensAcceptedAfterTheCheckInterval_OldOnesRefused()
    {
        var configured = Path.Combine(_root, "gateway");
        Directory.CreateDirectory(configured);
        var (first, firstToken) = Issuer("first");
        var (second, secondToken) = Issuer("second");
        Install(first, configured);
        var validator = Validator(configured);

        Assert.Equal(User.Xuid, validator.Validate(firstToken).User?.Xuid);
        Install(second, configured);
        Assert.Equal(PlayFabError.InvalidXboxLiveToken, validator.Validate(secondToken).Error);

        _time.Advance(XstsTokenValidator.KeyCheckInterval);

        Assert.Equal(User.Xuid, validator.Validate(secondToken).User?.Xuid);
        Assert.Equal(PlayFabError.InvalidXboxLiveToken, validator.Validate(firstToken).Error);
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public void KeyFileRewrittenUnreadable_KeepsTheKeysInHand()
    {
        var configured = Path.Combine(_root, "gateway");
        Directory.CreateDirectory(configured);
        var (keys, token) = Issuer("only");
        Install(keys, configured);
        var validator = Validator(configured);
        Assert.Equal(User.Xuid, validator.Validate(token).User?.Xuid);

        File.WriteAllText(Path.Combine(configured, SimulatorKeys.SigningJwksFile), "{\"keys\": [");
        File.SetLastWriteTimeUtc(Path.Combine(configured, SimulatorKeys.SigningJwksFile), DateTime.UtcNow.AddMinutes(1));
        _time.Advance(XstsTokenValidator.KeyCheckInterval);

        Assert.Equal(User.Xuid, validator.Validate(token).User?.Xuid);
        keys.Dispose();
    }

    /// <summary>A key of the signing key file the validator cannot use is named in one warning each time the file is read, and only then.</summary>
    [Fact]
    public void KeyFileHoldingAKeyItCannotUse_WarnsOncePerReadOfTheFile()
    {
        var configured = Path.Combine(_root, "gateway");
        Directory.CreateDirectory(configured);
        var (keys, token) = Issuer("with-bad-key");
        Install(keys, configured);
        var jwksPath = Path.Combine(configured, SimulatorKeys.SigningJwksFile);
        var jwks = JsonNode.Parse(File.ReadAllText(jwksPath))!.AsObject();
        jwks["keys"]!.AsArray().Add(new JsonObject { ["kty"] = "oct", ["kid"] = "hmac-1", ["k"] = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" });
        File.WriteAllText(jwksPath, jwks.ToJsonString());
        var log = new LogCapture();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(log));
        var validator = Validator(configured, factory.CreateLogger<XstsTokenValidator>());

        var first = validator.Validate(token);
        _time.Advance(XstsTokenValidator.KeyCheckInterval);
        var unchanged = validator.Validate(token);

        Assert.Equal(User.Xuid, first.User?.Xuid);
        Assert.Equal(User.Xuid, unchanged.User?.Xuid);
        var warning = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(
            "Signing key passed over: the key at index 1 of Xbox:SigningKeysFile (kid \"hmac-1\") has kty \"oct\": only RSA and EC keys are read. A token naming it is not verified with it",
            warning.Message);
        keys.Dispose();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (SimulatorKeys Keys, string Token) Issuer(string name)
    {
        var options = Options.Create(new SimulatorOptions { KeysDirectory = Path.Combine(_root, name) });
        var keys = new SimulatorKeys(options);
        return (keys, new XstsTokens(keys, options, _time).Issue(User, new TokenRequest()));
    }

    /// <summary>Put a token service's public keys and the relying party's key where the gateway reads them.</summary>
    private static void Install(SimulatorKeys keys, string configured)
    {
        foreach (var file in new[] { SimulatorKeys.RelyingPartyKeyFile, SimulatorKeys.SigningJwksFile })
        {
            var target = Path.Combine(configured, file);
            File.Copy(Path.Combine(keys.Directory, file), target, overwrite: true);

            // Distinct modification times, whatever the file system's clock resolution.
            File.SetLastWriteTimeUtc(target, File.Exists(target + ".stamp") ? DateTime.UtcNow.AddMinutes(5) : DateTime.UtcNow);
            File.WriteAllText(target + ".stamp", "");
        }
    }

    private XstsTokenValidator Validator(string configured, ILogger<XstsTokenValidator>? logger = null) => new(
        Options.Create(new XboxTokenOptions
        {
            RelyingPartyKeyFile = Path.Combine(configured, SimulatorKeys.RelyingPartyKeyFile),
            SigningKeysFile = Path.Combine(configured, SimulatorKeys.SigningJwksFile),
        }),
        Options.Create(new AuthOptions()),
        _time,
        logger ?? NullLogger<XstsTokenValidator>.Instance);
}
