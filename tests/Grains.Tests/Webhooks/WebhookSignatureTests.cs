using Entitlements.Notifications;

namespace Entitlements.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string Body = """{"type":"entitlementUpdated","payload":{"action":"grant","data":[]}}""";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

    [Fact]
    public void Sign_KnownInput_ReturnsTimestampAndLowercaseHexHmacOfTimestampDotBody()
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Body);

        // HMAC-SHA256("0123456789abcdef0123456789abcdef", "1764000000." + Body), computed independently.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes("1764000000." + Body)));
        Assert.Equal($"t=1764000000,v1={expected}", header);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(-300)]
    public void Verify_WithinFiveMinutes_Accepts(int skewSeconds)
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Body);

        Assert.True(WebhookSignature.Verify(Secret, header, Body, SignedAt.AddSeconds(skewSeconds)));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    public void Verify_MoreThanFiveMinutesAway_Rejects(int skewSeconds)
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Body);

        Assert.False(WebhookSignature.Verify(Secret, header, Body, SignedAt.AddSeconds(skewSeconds)));
    }

    [Fact]
    public void Verify_TamperedBodyWrongSecretOrForgedTimestamp_Rejects()
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Body);
        var forged = header.Replace("t=1764000000", "t=1764000001", StringComparison.Ordinal);

        Assert.False(WebhookSignature.Verify(Secret, header, Body + " ", SignedAt));
        Assert.False(WebhookSignature.Verify(Secret + "!", header, Body, SignedAt));
        Assert.False(WebhookSignature.Verify(Secret, forged, Body, SignedAt));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=abc")]
    [InlineData("t=1764000000")]
    [InlineData("t=abc,v1=00")]
    [InlineData("t=1764000000,t=1764000000,v1=00")]
    [InlineData("garbage")]
    public void Verify_MalformedHeader_Rejects(string? header)
    {
        Assert.False(WebhookSignature.Verify(Secret, header, Body, SignedAt));
    }

    [Fact]
    public void Verify_OneOfSeveralSignaturesMatches_Accepts()
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Body);
        var rotated = header.Replace("v1=", "v1=" + new string('0', 64) + ",v1=", StringComparison.Ordinal);

        Assert.True(WebhookSignature.Verify(Secret, rotated, Body, SignedAt));
    }
}
