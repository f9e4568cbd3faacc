using System.Globalization;
using Entitlements.Tests.Infrastructure;

namespace Entitlements.Tests.Auth;

/// <summary>
/// A gateway whose keys come from a JWKS file the tests control (<see cref="TestKeys"/>), with issuer and
/// audience checked and the key set re-read on every unknown <c>kid</c>. The development issuer is off,
/// so <see cref="GatewayFixture.Client"/> sends no credentials; <see cref="Operator"/> sends a token with every permission.
/// </summary>
public class AuthGatewayFixture : GatewayFixture
{
    /// <summary>The one origin besides its own whose pages may send this gateway's cookie (<c>Auth:AllowedOrigins</c>).</summary>
    public const string AllowedOrigin = "https://game.example";

    private TestKeys? _keys;
    private HttpClient? _operator;

    public TestKeys Keys => _keys ?? throw new InvalidOperationException("The gateway has not started.");

    /// <summary>A client whose token holds <c>inv:*</c> and <c>user:*</c>.</summary>
    public HttpClient Operator => _operator ??= ClientWith(Keys.Es256(TestKeys.Claims(["inv:*", "user:*"])));

    /// <summary><c>Auth:KeyRefreshIntervalSeconds</c> of this gateway.</summary>
    protected virtual int KeyRefreshIntervalSeconds => 0;

    /// <summary><c>Auth:ClockSkewSeconds</c> of this gateway; null keeps the default.</summary>
    protected virtual int? ClockSkewSeconds => null;

    /// <summary><c>Auth:ValidatedTokenCacheSize</c> of this gateway; null keeps the default.</summary>
    protected virtual int? ValidatedTokenCacheSize => null;

    /// <summary>A new client of this gateway that sends <c>Authorization: Bearer <paramref name="token"/></c>.</summary>
    public HttpClient ClientWith(string token)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public override async Task DisposeAsync()
    {
        _operator?.Dispose();
        await base.DisposeAsync();
        _keys?.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _keys = new TestKeys(Path.Combine(DataDirectory, "jwks.json"));
        settings["Auth:JwksFile"] = _keys.JwksPath;
        settings["Auth:Issuer"] = TestKeys.Issuer;
        settings["Auth:Audience"] = TestKeys.Audience;
        settings["Auth:KeyRefreshIntervalSeconds"] = KeyRefreshIntervalSeconds.ToString(CultureInfo.InvariantCulture);
        settings["Auth:AllowedOrigins:0"] = AllowedOrigin;
        if (ClockSkewSeconds is { } skew)
        {
            settings["Auth:ClockSkewSeconds"] = skew.ToString(CultureInfo.InvariantCulture);
        }

        if (ValidatedTokenCacheSize is { } size)
        {
            settings["Auth:ValidatedTokenCacheSize"] = size.ToString(CultureInfo.InvariantCulture);
        }
    }
}
