using System.Text.Json.Serialization;

namespace Entitlements.Gateway.Ops;

/// <summary>Dead letters oldest first; <see cref="NextAfterId"/> is the <c>after_id</c> of the next page, null on the last.</summary>
public sealed record DeadLetterPageDocument(
    [property: JsonPropertyName("dead_letters")] IReadOnlyList<DeadLetterDocument> DeadLetters,
    [property: JsonPropertyName("next_after_id")] long? NextAfterId);
