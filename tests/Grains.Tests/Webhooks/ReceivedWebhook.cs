using Microsoft.Extensions.Primitives;

namespace Entitlements.Tests.Webhooks;

/// <summary>One request the test receiver got: its path, headers (names lowercase), raw body, when it came and the status it was answered with.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt, int Status)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : throw new KeyNotFoundException($"no header {name}");

    /// <summary>The headers in the shape a receiver's <c>HttpRequest.Headers</c> has, for <c>WebhookSignature.Verify</c>.</summary>
    public IEnumerable<KeyValuePair<string, StringValues>> HeaderValues => Headers.Select(h => KeyValuePair.Create(h.Key, new StringValues(h.Value)));
}
