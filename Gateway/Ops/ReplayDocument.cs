using System.Text.Json.Serialization;

namespace Entitlements.Gateway.Ops;

/// <summary>A replay the endpoint accepted: its status code and the dead letter, now marked replayed.</summary>
public sealed record ReplayDocument(
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("status_code")] int? StatusCode,
    [property: JsonPropertyName("dead_letter")] DeadLetterDocument DeadLetter);
