using System.Text.Json.Serialization;

namespace Entitlements.Gateway.Ops;

public sealed record WebhookListDocument([property: JsonPropertyName("webhooks")] IReadOnlyList<WebhookDocument> Webhooks);
