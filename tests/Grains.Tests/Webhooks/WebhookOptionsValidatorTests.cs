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
