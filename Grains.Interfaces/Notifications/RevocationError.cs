using System.Text.Json.Serialization;

namespace Entitlements.Notifications;

/// <summary>An error of a failed revocation.</summary>
[GenerateSerializer, Immutable, Alias("Entitlements.Notifications.RevocationError")]
public sealed record RevocationError
{
    [Id(0), JsonPropertyName("httpStatus")] public int HttpStatus { get; init; }
    [Id(1), JsonPropertyName("code")] public int Code { get; init; }
    [Id(2), JsonPropertyName("message")] public string? Message { get; init; }
}
