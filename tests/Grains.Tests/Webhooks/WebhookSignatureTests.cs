using Entitlements.Notifications;
using Microsoft.Extensions.Primitives;

namespace Entitlements.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private const string Body = """{"type":"entitlementUpdated","payload":{"action":"grant","data":[]}}""";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_764_000_000);

    /// <summary>The signed headers of one request, in <see cref="WebhookHeaders.Covered"/> order.</summary>
    private static readonly KeyValuePair<string, StringValues>[] Signed =
    [
        new(WebhookHeaders.EventId, "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"),
        new(WebhookHeaders.Notification, "entitlementUpdated"),
        new(WebhookHeaders.Player, "6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e6f7"),
        new(WebhookHeaders.Version, "3"),
        new(WebhookHeaders.Cursor, "AgAAAAAAAAAqAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        new(WebhookHeaders.Delivery, "5d41402abc4b2a76b9719d911017c592"),
        new(WebhookHeaders.Attempt, "1"),
    ];

    [Fact]
    public void Sign_KnownHeadersAndBody_ReturnsV2OverTimestampEachSignedHeaderOnItsLineThenBody()
    {
        var header = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);

        // Computed independently, with the body (no trailing newline) in body.json:
        // { printf '%s\n' 1764000000 0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b entitlementUpdated \
        //     6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e6f7 3 AgAAAAAAAAAqAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
        //     5d41402abc4b2a76b9719d911017c592 1; cat body.json; } \
        //   | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
        Assert.Equal("t=1764000000,v2=254f1d9328ddc10e4f68e09553f29788f09aa6c1a005b8d0942f4832788b454d", header);
    }

    [Fact]
    public void Sign_HeadersInAnyOrderAndCase_SignsTheSameMessage()
    {
        var shuffled = Signed.Reverse().Select(h => KeyValuePair.Create(h.Key.ToLowerInvariant(), h.Value));

        Assert.Equal(WebhookSignature.Sign(Secret, SignedAt, Signed, Body), WebhookSignature.Sign(Secret, SignedAt, shuffled, Body));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("twice")]
    [InlineData("line feed")]
    [InlineData("carriage return")]
    public void Sign_SignedHeaderMissingRepeatedOrWithALineBreak_Throws(string how)
    {
        var headers = Change(Signed, WebhookHeaders.Cursor, how);

        var error = Assert.Throws<ArgumentException>(() => WebhookSignature.Sign(Secret, SignedAt, headers, Body));
        Assert.Equal("Each signed header must be given once, with one value and no line break. (Parameter 'headers')", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(-300)]
    public void Verify_WithinFiveMinutes_Accepts(int skewSeconds)
    {
        var headers = Request(WebhookSignature.Sign(Secret, SignedAt, Signed, Body));

        Assert.True(WebhookSignature.Verify(Secret, headers, Body, SignedAt.AddSeconds(skewSeconds)));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    public void Verify_MoreThanFiveMinutesAway_Rejects(int skewSeconds)
    {
        var headers = Request(WebhookSignature.Sign(Secret, SignedAt, Signed, Body));

        Assert.False(WebhookSignature.Verify(Secret, headers, Body, SignedAt.AddSeconds(skewSeconds)));
    }

    [Fact]
    public void Verify_TamperedBodyWrongSecretOrForgedTimestamp_Rejects()
    {
        var signature = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);
        var forged = signature.Replace("t=1764000000", "t=1764000001", StringComparison.Ordinal);

        Assert.False(WebhookSignature.Verify(Secret, Request(signature), Body + " ", SignedAt));
        Assert.False(WebhookSignature.Verify(Secret + "!", Request(signature), Body, SignedAt));
        Assert.False(WebhookSignature.Verify(Secret, Request(forged), Body, SignedAt));
    }

    [Fact]
    public void Verify_EachSignedHeaderChanged_Rejects()
    {
        var signature = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);

        Assert.All(WebhookHeaders.Covered, name =>
            Assert.False(WebhookSignature.Verify(Secret, Request(signature, Change(Signed, name, "changed")), Body, SignedAt), name));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("twice")]
    [InlineData("two values")]
    [InlineData("line feed")]
    public void Verify_SignedHeaderMissingRepeatedOrWithALineBreak_Rejects(string how)
    {
        var signature = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);

        Assert.False(WebhookSignature.Verify(Secret, Request(signature, Change(Signed, WebhookHeaders.EventId, how)), Body, SignedAt));
    }

    [Fact]
    public void Verify_HeaderNamesInAnotherCase_Accepts()
    {
        var headers = Request(WebhookSignature.Sign(Secret, SignedAt, Signed, Body)).Select(h => KeyValuePair.Create(h.Key.ToLowerInvariant(), h.Value));

        Assert.True(WebhookSignature.Verify(Secret, headers, Body, SignedAt));
    }

    [Fact]
    public void Verify_OnlyTheOldV1SchemeOverTimestampDotBody_Rejects()
    {
        var v1 = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes("1764000000." + Body)));

        Assert.False(WebhookSignature.Verify(Secret, Request($"t=1764000000,v1={v1}"), Body, SignedAt));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v2=abc")]
    [InlineData("t=1764000000")]
    [InlineData("t=abc,v2=00")]
    [InlineData("t=1764000000,t=1764000000,v2=00")]
    [InlineData("garbage")]
    public void Verify_MalformedSignature_Rejects(string? signature)
    {
        var headers = signature is null ? Signed : Request(signature);

        Assert.False(WebhookSignature.Verify(Secret, headers, Body, SignedAt));
    }

    [Fact]
    public void Verify_SignatureHeaderSentTwice_Rejects()
    {
        var signature = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);

        Assert.False(WebhookSignature.Verify(Secret, Request(signature).Append(new(WebhookHeaders.Signature, signature)), Body, SignedAt));
    }

    [Fact]
    public void Verify_OneOfSeveralSignaturesMatches_Accepts()
    {
        var signature = WebhookSignature.Sign(Secret, SignedAt, Signed, Body);
        var rotated = signature.Replace("v2=", "v2=" + new string('0', 64) + ",v2=", StringComparison.Ordinal);

        Assert.True(WebhookSignature.Verify(Secret, Request(rotated), Body, SignedAt));
    }

    /// <summary>A request's headers: <paramref name="signed"/> (default <see cref="Signed"/>) and the signature.</summary>
    private static KeyValuePair<string, StringValues>[] Request(string signature, IEnumerable<KeyValuePair<string, StringValues>>? signed = null) =>
        [.. signed ?? Signed, new(WebhookHeaders.Signature, signature)];

    /// <summary><paramref name="headers"/> with header <paramref name="name"/> missing, repeated, given two values, broken by a line, or set to <paramref name="how"/>.</summary>
    private static KeyValuePair<string, StringValues>[] Change(IEnumerable<KeyValuePair<string, StringValues>> headers, string name, string how) =>
        how == "missing"
            ? [.. headers.Where(h => h.Key != name)]
            : [.. headers.SelectMany<KeyValuePair<string, StringValues>, KeyValuePair<string, StringValues>>(h => h.Key != name ? [h] : how switch
            {
                "twice" => [h, h],
                "two values" => [new(name, new StringValues([h.Value.ToString(), "other"]))],
                "line feed" => [new(name, h.Value + "\nx")],
                "carriage return" => [new(name, h.Value + "\rx")],
                _ => [new(name, how)],
            })];
}
