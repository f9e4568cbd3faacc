using Entitlements.Webhooks;

namespace Entitlements.Tests.Webhooks;

public sealed class WebhookOptionsValidatorTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("https://hooks.example.com/entitlements")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://127.8.9.10/hook")]
    [InlineData("http://[::1]:9000/hook")]
    [InlineData("http://localhost:5000/hook")]
    public void Validate_HttpsOrLoopbackHttp_Succeeds(string url)
    {
        var result = Validate(new WebhookEndpointOptions { Name = "game-1", Url = url, Secret = Secret });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("http://hooks.example.com/entitlements", "Notifications:Webhooks:0:Url must use https:// (http:// is accepted for loopback hosts only).")]
    [InlineData("http://10.0.0.1/hook", "Notifications:Webhooks:0:Url must use https:// (http:// is accepted for loopback hosts only).")]
    [InlineData("ftp://127.0.0.1/hook", "Notifications:Webhooks:0:Url must use https:// (http:// is accepted for loopback hosts only).")]
    [InlineData("hooks.example.com/entitlements", "Notifications:Webhooks:0:Url must be an absolute URL.")]
    [InlineData("https://user:pass@hooks.example.com/", "Notifications:Webhooks:0:Url must not carry credentials; the signature authenticates the sender.")]
    public void Validate_BadUrl_FailsWithItsKey(string url, string message)
    {
        var result = Validate(new WebhookEndpointOptions { Name = "game", Url = url, Secret = Secret });

        Assert.Equal([message], result.Failures);
    }

    [Fact]
    public void Validate_EveryOtherMistake_ListsEachOne()
    {
        var result = Validate(
            new WebhookEndpointOptions { Name = "Game_1", Url = "https://a.example/", Secret = "short", MaxAttempts = 0, Timeout = TimeSpan.Zero },
            new WebhookEndpointOptions { Name = "dup", Url = "https://a.example/", Secret = Secret, InitialBackoff = TimeSpan.FromMinutes(10) },
            new WebhookEndpointOptions { Name = "dup", Url = "https://a.example/", Secret = Secret });

        Assert.Equal(
            [
                "Notifications:Webhooks:0:Name must be made of a-z, 0-9 and '-' (got 'Game_1').",
                "Notifications:Webhooks:0:Secret is required and must have at least 32 characters.",
                "Notifications:Webhooks:0:MaxAttempts must be at least 1.",
                "Notifications:Webhooks:0:Timeout must be positive.",
                "Notifications:Webhooks:1:InitialBackoff must be positive and MaxBackoff at least InitialBackoff.",
                "Notifications:Webhooks:2:Name 'dup' is used by another webhook.",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_BackoffAndTimeoutAtTheirLimits_Succeeds()
    {
        var result = Validate(new WebhookEndpointOptions
        {
            Name = "game",
            Url = "https://a.example/",
            Secret = Secret,
            MaxBackoff = TimeSpan.FromDays(1),
            Timeout = TimeSpan.FromSeconds(30),
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BackoffOrTimeoutTooLong_FailsWithTheLimit()
    {
        // Past 49.7 days a wait cannot be started, past 24.8 days an HttpClient cannot take the timeout, and past
        // 30 s a replay, which waits for the endpoint, would outlast its own grain call.
        var result = Validate(
            new WebhookEndpointOptions { Name = "a", Url = "https://a.example/", Secret = Secret, MaxBackoff = TimeSpan.FromDays(50) },
            new WebhookEndpointOptions { Name = "b", Url = "https://a.example/", Secret = Secret, MaxBackoff = TimeSpan.FromDays(1).Add(TimeSpan.FromTicks(1)) },
            new WebhookEndpointOptions { Name = "c", Url = "https://a.example/", Secret = Secret, Timeout = TimeSpan.FromDays(25) },
            new WebhookEndpointOptions { Name = "d", Url = "https://a.example/", Secret = Secret, Timeout = TimeSpan.FromSeconds(31) });

        Assert.Equal(
            [
                "Notifications:Webhooks:0:MaxBackoff must be at most 1.00:00:00 (got 50.00:00:00).",
                "Notifications:Webhooks:1:MaxBackoff must be at most 1.00:00:00 (got 1.00:00:00.0000001).",
                "Notifications:Webhooks:2:Timeout must be at most 00:00:30 (half the replay call's response timeout of 00:01:00; got 25.00:00:00).",
                "Notifications:Webhooks:3:Timeout must be at most 00:00:30 (half the replay call's response timeout of 00:01:00; got 00:00:31).",
            ],
            result.Failures);
    }

    [Fact]
    public void Validate_NameLongerThanTheRoutesTake_FailsWithTheLimit()
    {
        var result = Validate(
            new WebhookEndpointOptions { Name = new string('a', 100), Url = "https://a.example/", Secret = Secret },
            new WebhookEndpointOptions { Name = new string('b', 101), Url = "https://a.example/", Secret = Secret });

        Assert.Equal(["Notifications:Webhooks:1:Name must be at most 100 characters (got 101)."], result.Failures);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(params WebhookEndpointOptions[] webhooks)
    {
        var options = new WebhookOptions();
        foreach (var webhook in webhooks)
        {
            options.Webhooks.Add(webhook);
        }

        return new WebhookOptionsValidator().Validate(null, options);
    }
}
